using System.Text.Json;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>A device identity in the hub's registry, as <c>GET /devices/{id}</c> returns it.</summary>
public sealed class Device
{
    /// <summary>Creates an empty device (for deserialization and object initializers).</summary>
    public Device()
    {
    }

    /// <summary>Creates a device with the given id, enabled, with keys the hub will generate.</summary>
    public Device(string id)
    {
        Id = id;
    }

    /// <summary>The device id (case-sensitive, up to 128 characters).</summary>
    [JsonPropertyName("deviceId")]
    public string Id { get; set; } = "";

    /// <summary>Set by the hub; tells apart devices re-created with the same id.</summary>
    [JsonPropertyName("generationId")]
    public string? GenerationId { get; set; }

    /// <summary>The registry entry's entity tag, for conditional updates and deletes.</summary>
    [JsonPropertyName("etag")]
    public string? ETag { get; set; }

    /// <summary>Whether the device may connect.</summary>
    [JsonPropertyName("status")]
    public DeviceStatus Status { get; set; } = DeviceStatus.Enabled;

    /// <summary>Why the status was set (free text, up to 128 characters).</summary>
    [JsonPropertyName("statusReason")]
    public string? StatusReason { get; set; }

    /// <summary>Whether the device is connected (read-only on the hub).</summary>
    [JsonPropertyName("connectionState")]
    public DeviceConnectionState ConnectionState { get; set; }

    /// <summary>When <see cref="ConnectionState"/> last changed (UTC; <see cref="DateTime.MinValue"/> if never).</summary>
    [JsonPropertyName("connectionStateUpdatedTime")]
    public DateTime ConnectionStateUpdatedTime { get; set; }

    /// <summary>When <see cref="Status"/> last changed (UTC).</summary>
    [JsonPropertyName("statusUpdatedTime")]
    public DateTime StatusUpdatedTime { get; set; }

    /// <summary>When the device last connected, sent or received (UTC).</summary>
    [JsonPropertyName("lastActivityTime")]
    public DateTime LastActivityTime { get; set; }

    /// <summary>Cloud-to-device messages queued for the device.</summary>
    [JsonPropertyName("cloudToDeviceMessageCount")]
    public int CloudToDeviceMessageCount { get; set; }

    /// <summary>The device's credentials.</summary>
    [JsonPropertyName("authentication")]
    public AuthenticationMechanism? Authentication { get; set; }

    /// <summary>Edge capability.</summary>
    [JsonPropertyName("capabilities")]
    public DeviceCapabilities? Capabilities { get; set; }

    /// <summary>The scope of the device's edge parent (nested edge).</summary>
    [JsonPropertyName("deviceScope")]
    public string? Scope { get; set; }

    /// <summary>The scopes of the device's edge parents (nested edge).</summary>
    [JsonPropertyName("parentScopes")]
    public IList<string>? ParentScopes { get; set; }

    /// <summary>Members the hub sent that this type does not model; kept so nothing is lost on a round trip.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The device as wire JSON.</summary>
    public string ToJson(bool indented = false)
        => JsonSerializer.Serialize(this, indented ? ServiceJson.Indented : ServiceJson.Options);

    /// <summary>Reads a device from wire JSON.</summary>
    /// <exception cref="JsonException">The text is not a device document.</exception>
    public static Device FromJson(string json)
        => JsonSerializer.Deserialize<Device>(json, ServiceJson.Options) ?? throw new JsonException("The JSON is null, not a device.");

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Status}, {ConnectionState})";
}
