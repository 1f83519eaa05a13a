using System.Reflection;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary><c>GET /health</c>: answers without authentication so scripts can wait for the emulator.</summary>
public static class HealthEndpoint
{
    /// <summary>Maps the health route.</summary>
    public static void Map(IEndpointRouteBuilder routes)
        => routes.MapGet("/health", (EmulatorSettings settings, HubState hub) => HubResults.Json(new JsonObject
        {
            ["status"] = "healthy",
            ["hubName"] = settings.HubName,
            ["hostName"] = settings.HostName,
            ["storage"] = hub.StorageKind,
            ["version"] = typeof(HealthEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
        }));
}
