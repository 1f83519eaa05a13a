using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>Registry and service statistics: <c>/statistics/devices</c> and <c>/statistics/service</c>.</summary>
public static class StatisticsEndpoints
{
    /// <summary>Maps the statistics routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var registryRead = new RequiredPermission(IotHubPermissions.RegistryRead);
        routes.MapGet("/statistics/devices", (DeviceRegistry registry) =>
        {
            var s = registry.GetRegistryStatistics();
            return HubResults.Json(new JsonObject
            {
                ["totalDeviceCount"] = s.TotalDeviceCount,
                ["enabledDeviceCount"] = s.EnabledDeviceCount,
                ["disabledDeviceCount"] = s.DisabledDeviceCount,
            });
        }).WithMetadata(registryRead);
        routes.MapGet("/statistics/service", (DeviceRegistry registry) =>
            HubResults.Json(new JsonObject { ["connectedDeviceCount"] = registry.GetServiceStatistics().ConnectedDeviceCount }))
            .WithMetadata(registryRead);
    }
}
