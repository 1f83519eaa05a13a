using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Methods;
using IotLabKit.Emulator.Errors;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// Direct methods: <c>POST /twins/{id}/methods</c> (and the module route) → 200 <c>{status, payload}</c> with the
/// device's own status. Failures use IoT Hub's nested error envelope of this path (the body's <c>Message</c> holds
/// <c>{"errorCode":404103,…}</c> as text).
/// </summary>
public static class MethodEndpoints
{
    /// <summary>Maps the method routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var serviceConnect = new RequiredPermission(IotHubPermissions.ServiceConnect);
        routes.MapPost("/twins/{id}/methods", (string id, HttpContext context, IDirectMethodInvoker methods) => InvokeAsync(id, null, context, methods))
            .WithMetadata(serviceConnect);
        routes.MapPost("/twins/{id}/modules/{moduleId}/methods", (string id, string moduleId, HttpContext context, IDirectMethodInvoker methods) => InvokeAsync(id, moduleId, context, methods))
            .WithMetadata(serviceConnect);
    }

    private static async Task<IResult> InvokeAsync(string id, string? moduleId, HttpContext context, IDirectMethodInvoker methods)
    {
        try
        {
            var body = await HubResults.ReadObjectAsync(context.Request, "the method request");
            var call = DirectMethodRequestReader.Read(body);
            var result = await methods.InvokeAsync(id, moduleId, call, context.RequestAborted);
            return HubResults.Json(new JsonObject { ["status"] = result.Status, ["payload"] = result.Payload?.DeepClone() });
        }
        catch (HubException ex)
        {
            return new NestedErrorResult(ex);
        }
    }

    private sealed class NestedErrorResult(HubException error) : IResult
    {
        public Task ExecuteAsync(HttpContext context) => ErrorResponseFactory.WriteNestedAsync(context, error.Code, error.Message);
    }
}
