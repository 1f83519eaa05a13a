using System.Globalization;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>The identity registry over REST: <c>/devices</c> and <c>/devices/{id}</c>.</summary>
public static class DeviceEndpoints
{
    /// <summary>Maps the device routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/devices", List).WithMetadata(new RequiredPermission(IotHubPermissions.RegistryRead));
        routes.MapGet("/devices/{id}", Get).WithMetadata(new RequiredPermission(IotHubPermissions.RegistryRead));
        routes.MapPut("/devices/{id}", Put).WithMetadata(new RequiredPermission(IotHubPermissions.RegistryWrite));
        routes.MapDelete("/devices/{id}", Delete).WithMetadata(new RequiredPermission(IotHubPermissions.RegistryWrite));
    }

    private static IResult List(HttpRequest request, DeviceRegistry registry)
    {
        int? top = int.TryParse(request.Query["top"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : null;
        return HubResults.Json(new JsonArray(registry.List(top).Select(d => (JsonNode)DeviceJson.Write(d)).ToArray()));
    }

    private static IResult Get(string id, DeviceRegistry registry) => HubResults.Json(DeviceJson.Write(registry.Get(id)));

    private static async Task<IResult> Put(string id, HttpRequest request, DeviceRegistry registry)
    {
        var body = await HubResults.ReadObjectAsync(request, "the device");
        var device = registry.CreateOrUpdate(id, DeviceJson.ReadSettings(body), HubResults.IfMatch(request), out _);
        return HubResults.Json(DeviceJson.Write(device));
    }

    private static IResult Delete(string id, HttpRequest request, DeviceRegistry registry)
    {
        registry.Delete(id, HubResults.IfMatch(request));
        return Results.NoContent();
    }
}
