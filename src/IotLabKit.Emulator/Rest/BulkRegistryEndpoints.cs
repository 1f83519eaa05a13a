using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Errors;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// <c>POST /devices</c>: the registry's bulk operation. Answers IoT Hub's BulkRegistryOperationResult
/// (<c>{"isSuccessful","errors":[{"deviceId","errorCode","errorStatus"}],"warnings":[]}</c>): 200 when every item
/// succeeded, else 400 with the same body and <c>iothub-errorcode: BulkRegistryOperationFailure</c> (which the C#
/// SDK reads as a result, not an exception).
/// </summary>
public static class BulkRegistryEndpoints
{
    /// <summary>Maps the bulk route.</summary>
    public static void Map(IEndpointRouteBuilder routes)
        => routes.MapPost("/devices", Bulk).WithMetadata(new RequiredPermission(IotHubPermissions.RegistryWrite));

    private static async Task<IResult> Bulk(HttpRequest request, BulkRegistry bulk)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        var body = HubJson.Parse(text, "the bulk operation needs a JSON array of devices");
        var errors = bulk.Apply(BulkRegistry.ReadItems(body));
        var result = new JsonObject
        {
            ["isSuccessful"] = errors.Count == 0,
            ["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject
            {
                ["deviceId"] = e.DeviceId,
                ["errorCode"] = e.Code.ToString(),
                ["errorStatus"] = e.Message,
            }).ToArray()),
            ["warnings"] = new JsonArray(),
        };
        if (errors.Count == 0) return HubResults.Json(result);
        request.HttpContext.Response.Headers[ErrorResponseFactory.ErrorCodeHeader] = nameof(IotHubErrorCode.BulkRegistryOperationFailure);
        return HubResults.Json(result, StatusCodes.Status400BadRequest);
    }
}
