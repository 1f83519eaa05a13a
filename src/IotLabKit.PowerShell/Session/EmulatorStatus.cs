using System.Text.Json;
using System.Text.Json.Serialization;
using IotLabKit.Protocol;

namespace IotLabKit.PowerShell.Session;

/// <summary>The emulator's status JSON (docs/architecture.md, "The emulator process").</summary>
internal sealed class EmulatorStatus
{
    /// <summary>The prefix of the status line the emulator prints to stdout once it listens.</summary>
    public const string StdoutPrefix = "IOTLABKIT-STATUS ";

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("hubName")] public string HubName { get; init; } = "";
    [JsonPropertyName("hostName")] public string HostName { get; init; } = "";
    [JsonPropertyName("httpsPort")] public int HttpsPort { get; init; }
    [JsonPropertyName("serviceConnectionString")] public string ServiceConnectionString { get; init; } = "";
    [JsonPropertyName("policies")] public Dictionary<string, string> Policies { get; init; } = [];
    [JsonPropertyName("caCertificatePath")] public string? CaCertificatePath { get; init; }
    [JsonPropertyName("dataDir")] public string? DataDir { get; init; }
    [JsonPropertyName("storage")] public string? Storage { get; init; }
    [JsonPropertyName("mqttPort")] public int MqttPort { get; init; }
    [JsonPropertyName("amqpPort")] public int AmqpPort { get; init; }
    [JsonPropertyName("amqpsPort")] public int AmqpsPort { get; init; }
    [JsonPropertyName("eventHubConnectionString")] public string? EventHubConnectionString { get; init; }

    /// <summary>The host (and port, unless 443) clients dial, as written in the connection string.</summary>
    public string ConnectionHost =>
        IotHubConnectionString.TryParse(ServiceConnectionString, out var cs, out _) && cs is not null
            ? cs.HostName
            : HttpsPort == 443 ? HostName : $"{HostName}:{HttpsPort}";

    /// <summary>Reads the status JSON.</summary>
    /// <exception cref="JsonException">It is not the emulator's status document.</exception>
    public static EmulatorStatus Parse(string json)
    {
        var status = JsonSerializer.Deserialize<EmulatorStatus>(json, Options) ?? throw new JsonException("The emulator status is null.");
        if (string.IsNullOrEmpty(status.ServiceConnectionString))
            throw new JsonException("The emulator status has no serviceConnectionString.");
        return status;
    }
}
