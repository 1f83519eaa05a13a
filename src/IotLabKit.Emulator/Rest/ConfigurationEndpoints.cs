using System.Globalization;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Configurations;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// Automatic device configurations over REST: <c>/configurations</c>, <c>/configurations/{id}</c> and
/// <c>/configurations/testQueries</c>; and the emulator's own <c>POST /$iotlabkit/configurations/evaluate</c>,
/// which evaluates at once instead of waiting for the schedule.
/// </summary>
public static class ConfigurationEndpoints
{
    /// <summary>The emulator-only route that evaluates every configuration now.</summary>
    public const string EvaluatePath = "/$iotlabkit/configurations/evaluate";

    /// <summary>Maps the configuration routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var read = new RequiredPermission(IotHubPermissions.RegistryRead);
        var write = new RequiredPermission(IotHubPermissions.RegistryWrite);
        routes.MapGet("/configurations", List).WithMetadata(read);
        routes.MapGet("/configurations/{id}", (string id, ConfigurationStore store) => HubResults.Json(ConfigurationJson.Write(store.Get(id))))
            .WithMetadata(read);
        routes.MapPut("/configurations/{id}", Put).WithMetadata(write);
        routes.MapDelete("/configurations/{id}", Delete).WithMetadata(write);
        routes.MapPost("/configurations/testQueries", TestQueries).WithMetadata(read);
        routes.MapPost(EvaluatePath, Evaluate).WithMetadata(write);
    }

    private static IResult List(HttpRequest request, ConfigurationStore store)
    {
        int? top = int.TryParse(request.Query["top"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : null;
        return HubResults.Json(new JsonArray(store.List(top).Select(c => (JsonNode)ConfigurationJson.Write(c)).ToArray()));
    }

    private static async Task<IResult> Put(string id, HttpRequest request, ConfigurationStore store)
    {
        var body = await HubResults.ReadObjectAsync(request, "the configuration");
        var configuration = store.CreateOrUpdate(id, ConfigurationJson.Read(body), HubResults.IfMatch(request), out _);
        return HubResults.Json(ConfigurationJson.Write(configuration));
    }

    private static IResult Delete(string id, HttpRequest request, ConfigurationStore store)
    {
        store.Delete(id, HubResults.IfMatch(request));
        return Results.NoContent();
    }

    private static async Task<IResult> TestQueries(HttpRequest request)
    {
        var body = await HubResults.ReadObjectAsync(request, "the queries to test");
        var (target, metrics) = ConfigurationJson.ReadTestQueries(body);
        var (targetError, metricErrors) = ConfigurationValidator.TestQueries(target, metrics);
        var errors = new JsonObject();
        foreach (var (name, error) in metricErrors) errors[name] = error;
        return HubResults.Json(new JsonObject { ["targetConditionError"] = targetError, ["customMetricQueryErrors"] = errors });
    }

    private static IResult Evaluate(ConfigurationEngine engine)
    {
        var result = engine.Evaluate();
        var failed = new JsonObject();
        foreach (var (deviceId, reason) in result.FailedTwins) failed[deviceId] = reason;
        return HubResults.Json(new JsonObject
        {
            ["evaluatedTimeUtc"] = Core.WireTime.Format(result.EvaluatedAt),
            ["configurationCount"] = result.ConfigurationCount,
            ["twinCount"] = result.TwinCount,
            ["updatedTwinCount"] = result.UpdatedTwinCount,
            ["durationMilliseconds"] = Math.Round(result.Duration.TotalMilliseconds, 1),
            ["failedTwins"] = failed,
        });
    }
}
