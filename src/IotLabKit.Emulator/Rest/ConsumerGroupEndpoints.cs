using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// The emulator's stand-in for Azure Resource Manager's consumer-group operations on the built-in endpoint
/// (<c>…/IotHubs/{hub}/eventHubEndpoints/events/ConsumerGroups/{name}</c>): the same path tail under
/// <c>/$iotlabkit</c>. <c>GET</c> the list (<c>{"value":[…]}</c>) or one group, <c>PUT</c> creates (or returns an
/// existing group, as ARM does; 201 when created), <c>DELETE</c> removes (204). A group is
/// <c>{"name":…,"properties":{"created":…}}</c> (<c>created</c> is null for <c>$Default</c>). Reading needs
/// ServiceConnect (what readers of the endpoint have); changes need RegistryWrite.
/// </summary>
public static class ConsumerGroupEndpoints
{
    /// <summary>The collection's route.</summary>
    public const string Path = "/$iotlabkit/eventHubEndpoints/events/consumerGroups";

    /// <summary>Maps the routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var read = new RequiredPermission(IotHubPermissions.ServiceConnect);
        var write = new RequiredPermission(IotHubPermissions.RegistryWrite);
        routes.MapGet(Path, (ConsumerGroupRegistry groups)
            => HubResults.Json(new JsonObject { ["value"] = new JsonArray(groups.All.Select(g => (JsonNode)ToJson(g)).ToArray()) }))
            .WithMetadata(read);
        routes.MapGet(Path + "/{name}", (string name, ConsumerGroupRegistry groups) => HubResults.Json(ToJson(groups.Get(name))))
            .WithMetadata(read);
        routes.MapPut(Path + "/{name}", (string name, ConsumerGroupRegistry groups) =>
        {
            var group = groups.Create(name, out var created);
            return HubResults.Json(ToJson(group), created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }).WithMetadata(write);
        routes.MapDelete(Path + "/{name}", (string name, ConsumerGroupRegistry groups) =>
        {
            groups.Delete(name);
            return Results.NoContent();
        }).WithMetadata(write);
    }

    private static JsonObject ToJson(ConsumerGroup group) => new()
    {
        ["name"] = group.Name,
        ["properties"] = new JsonObject { ["created"] = group.CreatedTimeUtc is { } t ? WireTime.Format(t) : null },
    };
}
