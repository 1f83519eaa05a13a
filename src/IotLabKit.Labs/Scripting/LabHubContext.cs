namespace IotLabKit.Labs.Scripting;

/// <summary>
/// What a lab script may know about the hub: the course's "Configuration Data:" (service connection string, device
/// connection strings, the Event Hubs-compatible endpoint, its path and the service policy key). Built by the
/// runner from the session's connection; a real hub's values work the same way.
/// </summary>
public sealed record LabHubContext
{
    /// <summary>The iothubowner connection string.</summary>
    public string ServiceConnectionString { get; init; } = "";

    /// <summary>Device connection strings by device id.</summary>
    public IReadOnlyDictionary<string, string> DeviceConnectionStrings { get; init; } = new Dictionary<string, string>();

    /// <summary>The Event Hubs-compatible endpoint's connection string (service policy), with EntityPath.</summary>
    public string EventHubConnectionString { get; init; } = "";

    /// <summary>The Event Hubs-compatible endpoint (<c>sb://…/</c>).</summary>
    public string EventHubsCompatibleEndpoint { get; init; } = "";

    /// <summary>The Event Hubs-compatible path (the hub's name).</summary>
    public string EventHubsCompatiblePath { get; init; } = "";

    /// <summary>The service policy's primary key.</summary>
    public string IotHubSasKey { get; init; } = "";

    /// <summary>The emulator's CA certificate file, when the hub is an emulator whose CA the runner knows.</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>Splits an Event Hubs connection string into the course's pieces (endpoint, path, key).</summary>
    public static (string Endpoint, string Path, string Key) SplitEventHubConnectionString(string connectionString)
    {
        string endpoint = "", path = "", key = "";
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (name.Equals("Endpoint", StringComparison.OrdinalIgnoreCase)) endpoint = value;
            else if (name.Equals("EntityPath", StringComparison.OrdinalIgnoreCase)) path = value;
            else if (name.Equals("SharedAccessKey", StringComparison.OrdinalIgnoreCase)) key = value;
        }
        return (endpoint, path, key);
    }
}
