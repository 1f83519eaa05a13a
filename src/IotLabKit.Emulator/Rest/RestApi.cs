using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>All of the hub's REST routes.</summary>
public static class RestApi
{
    /// <summary>Maps every REST route.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        HealthEndpoint.Map(routes);
        DeviceEndpoints.Map(routes);
        CloudToDeviceEndpoints.Map(routes);
        BulkRegistryEndpoints.Map(routes);
        TwinEndpoints.Map(routes);
        StatisticsEndpoints.Map(routes);
        JobEndpoints.Map(routes);
        MethodEndpoints.Map(routes);
        QueryEndpoints.Map(routes);
        ConfigurationEndpoints.Map(routes);
        TelemetryEndpoints.Map(routes);
        ConsumerGroupEndpoints.Map(routes);
    }
}
