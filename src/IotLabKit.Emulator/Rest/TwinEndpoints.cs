using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>Device twins over REST: <c>GET</c>, <c>PATCH</c> (merge) and <c>PUT</c> (replace) on <c>/twins/{id}</c>.</summary>
public static class TwinEndpoints
{
    /// <summary>Maps the twin routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var serviceConnect = new RequiredPermission(IotHubPermissions.ServiceConnect);
        routes.MapGet("/twins/{id}", (string id, TwinStore twins) => HubResults.Json(twins.Get(id))).WithMetadata(serviceConnect);
        routes.MapMethods("/twins/{id}", [HttpMethods.Patch], Patch).WithMetadata(serviceConnect);
        routes.MapPut("/twins/{id}", Put).WithMetadata(serviceConnect);
    }

    private static async Task<IResult> Patch(string id, HttpRequest request, TwinStore twins)
    {
        var body = await HubResults.ReadObjectAsync(request, "the twin patch");
        return HubResults.Json(twins.Update(id, TwinWrite.Parse(body), HubResults.IfMatch(request)));
    }

    private static async Task<IResult> Put(string id, HttpRequest request, TwinStore twins)
    {
        var body = await HubResults.ReadObjectAsync(request, "the twin");
        return HubResults.Json(twins.Replace(id, TwinWrite.Parse(body), HubResults.IfMatch(request)));
    }
}
