using System.Text.Json;
using System.Text.Json.Serialization;

namespace IotLabKit.Testing;

/// <summary>The status a running emulator writes to its status file (the contract in docs/architecture.md).</summary>
public sealed record EmulatorStatusInfo
{
    /// <summary>The emulator's process id.</summary>
    [JsonPropertyName("pid")] public int Pid { get; init; }
    /// <summary>The hub's name.</summary>
    [JsonPropertyName("hubName")] public string HubName { get; init; } = "";
    /// <summary>The host name in connection strings.</summary>
    [JsonPropertyName("hostName")] public string HostName { get; init; } = "";
    /// <summary>The HTTPS port it listens on.</summary>
    [JsonPropertyName("httpsPort")] public int HttpsPort { get; init; }
    /// <summary>The MQTT-over-TLS port it listens on (devices may also use the HTTPS port).</summary>
    [JsonPropertyName("mqttPort")] public int MqttPort { get; init; }
    /// <summary>The AMQP-over-TLS port.</summary>
    [JsonPropertyName("amqpsPort")] public int AmqpsPort { get; init; }
    /// <summary>The plain AMQP port (UseDevelopmentEmulator=true clients).</summary>
    [JsonPropertyName("amqpPort")] public int AmqpPort { get; init; }
    /// <summary>The Event Hubs-compatible endpoint's connection string.</summary>
    [JsonPropertyName("eventHubConnectionString")] public string EventHubConnectionString { get; init; } = "";
    /// <summary>The <c>iothubowner</c> connection string.</summary>
    [JsonPropertyName("serviceConnectionString")] public string ServiceConnectionString { get; init; } = "";
    /// <summary>Policy name → primary key.</summary>
    [JsonPropertyName("policies")] public Dictionary<string, string> Policies { get; init; } = [];
    /// <summary>The CA certificate file to trust.</summary>
    [JsonPropertyName("caCertificatePath")] public string CaCertificatePath { get; init; } = "";
    /// <summary>The data directory.</summary>
    [JsonPropertyName("dataDir")] public string DataDir { get; init; } = "";
    /// <summary>"sqlite" or "memory".</summary>
    [JsonPropertyName("storage")] public string Storage { get; init; } = "";

    /// <summary>Reads a status file.</summary>
    public static EmulatorStatusInfo Read(string path)
        => JsonSerializer.Deserialize<EmulatorStatusInfo>(File.ReadAllText(path))
           ?? throw new InvalidDataException($"The status file {path} is empty.");
}
