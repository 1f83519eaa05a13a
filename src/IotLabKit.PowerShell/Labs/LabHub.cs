using IotLabKit.Labs.Scripting;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Labs;

/// <summary>
/// Builds what lab scripts know about the hub (<see cref="LabHubContext"/>) from the session's connection: the
/// course's "Configuration Data:". The Event Hubs-compatible endpoint comes from the emulator this session started,
/// or from the -EventHubConnectionString a user gives for a real hub.
/// </summary>
internal static class LabHub
{
    /// <summary>The policy whose key the Event Hubs-compatible string carries, as in the course.</summary>
    public const string EventHubPolicy = "service";

    /// <summary>Reads the devices' keys and puts the context together.</summary>
    public static async Task<LabHubContext> BuildAsync(HubConnection? connection, IEnumerable<string> deviceIds,
        string? eventHubConnectionString, CancellationToken cancellationToken)
    {
        if (connection is null) return new LabHubContext();
        var devices = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in deviceIds.Where(d => !string.IsNullOrEmpty(d)).Distinct(StringComparer.Ordinal))
        {
            var device = await connection.Registry.GetDeviceAsync(id, cancellationToken).ConfigureAwait(false);
            if (device is not null && DeviceConnectionStrings.Build(connection, device) is { } cs) devices[id] = cs;
        }
        var status = HubSession.Emulator?.Status;
        var ownEmulator = status is not null && string.Equals(status.ConnectionHost, connection.HostName, StringComparison.OrdinalIgnoreCase);
        var eventHub = eventHubConnectionString
            ?? (ownEmulator ? EventHubEndpoint.ConnectionString(status!, EventHubPolicy) : null)
            ?? "";
        var (endpoint, path, key) = LabHubContext.SplitEventHubConnectionString(eventHub);
        return new LabHubContext
        {
            ServiceConnectionString = connection.ConnectionString.ToString(),
            DeviceConnectionStrings = devices,
            EventHubConnectionString = eventHub,
            EventHubsCompatibleEndpoint = endpoint,
            EventHubsCompatiblePath = path,
            IotHubSasKey = ownEmulator && status!.Policies.TryGetValue(EventHubPolicy, out var serviceKey) ? serviceKey : key,
            CaCertificatePath = connection.IsEmulator ? connection.CaCertificatePath ?? status?.CaCertificatePath : null,
        };
    }
}
