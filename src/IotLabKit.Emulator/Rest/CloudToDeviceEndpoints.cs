using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.CloudToDevice;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>The cloud-to-device queue over REST: purge with <c>DELETE /devices/{id}/commands</c> (sending and feedback are AMQP).</summary>
public static class CloudToDeviceEndpoints
{
    /// <summary>Maps the route.</summary>
    public static void Map(IEndpointRouteBuilder routes)
        => routes.MapDelete("/devices/{id}/commands", Purge).WithMetadata(new RequiredPermission(IotHubPermissions.ServiceConnect));

    private static IResult Purge(string id, CloudToDeviceQueue queue)
        => HubResults.Json(new JsonObject { ["totalMessagesPurged"] = queue.Purge(id), ["deviceId"] = id, ["moduleId"] = null });
}
