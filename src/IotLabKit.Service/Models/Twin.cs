using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// A device (or module) twin: tags and desired properties the back end writes, reported properties the device
/// writes, and read-only copies of identity fields.
/// </summary>
public sealed class Twin
{
    private TwinCollection _tags = new();
    private TwinProperties _properties = new();

    /// <summary>Creates an empty twin (for example to build a patch).</summary>
    public Twin()
    {
    }

    /// <summary>Creates an empty twin for a device.</summary>
    public Twin(string deviceId)
    {
        DeviceId = deviceId;
    }

    /// <summary>Creates a twin with the given properties (for example to build a patch).</summary>
    public Twin(TwinProperties properties)
    {
        Properties = properties;
    }

    /// <summary>The device id.</summary>
    [JsonPropertyName("deviceId")]
    public string? DeviceId { get; set; }

    /// <summary>The module id (module twins only).</summary>
    [JsonPropertyName("moduleId")]
    public string? ModuleId { get; set; }

    /// <summary>The twin's entity tag, for conditional updates.</summary>
    [JsonPropertyName("etag")]
    public string? ETag { get; set; }

    /// <summary>The twin's version, bumped on every write.</summary>
    [JsonPropertyName("version")]
    public long? Version { get; set; }

    /// <summary>The device's registry status (read-only copy).</summary>
    [JsonPropertyName("status")]
    public DeviceStatus? Status { get; set; }

    /// <summary>Why the status was set (read-only copy).</summary>
    [JsonPropertyName("statusReason")]
    public string? StatusReason { get; set; }

    /// <summary>When the status last changed (wire name <c>statusUpdateTime</c>; Microsoft's client calls it StatusUpdatedTime too).</summary>
    [JsonPropertyName("statusUpdateTime")]
    public DateTime? StatusUpdatedTime { get; set; }

    /// <summary>Whether the device is connected (read-only copy).</summary>
    [JsonPropertyName("connectionState")]
    public DeviceConnectionState? ConnectionState { get; set; }

    /// <summary>When the device was last active (read-only copy).</summary>
    [JsonPropertyName("lastActivityTime")]
    public DateTime? LastActivityTime { get; set; }

    /// <summary>Cloud-to-device messages queued (read-only copy).</summary>
    [JsonPropertyName("cloudToDeviceMessageCount")]
    public int? CloudToDeviceMessageCount { get; set; }

    /// <summary>How the device authenticates (read-only copy).</summary>
    [JsonPropertyName("authenticationType")]
    public AuthenticationType? AuthenticationType { get; set; }

    /// <summary>The device's certificate thumbprints (read-only copy).</summary>
    [JsonPropertyName("x509Thumbprint")]
    public X509Thumbprint? X509Thumbprint { get; set; }

    /// <summary>The IoT Plug and Play model id the device announced.</summary>
    [JsonPropertyName("modelId")]
    public string? ModelId { get; set; }

    /// <summary>The registry entry's entity tag (the device's ETag, not the twin's).</summary>
    [JsonPropertyName("deviceEtag")]
    public string? DeviceEtag { get; set; }

    /// <summary>Back-end-only metadata about the device (devices never see tags).</summary>
    [JsonPropertyName("tags")]
    public TwinCollection Tags { get => _tags; set => _tags = value ?? new(); }

    /// <summary>Desired and reported properties.</summary>
    [JsonPropertyName("properties")]
    public TwinProperties Properties { get => _properties; set => _properties = value ?? new(); }

    /// <summary>Edge capability (read-only copy).</summary>
    [JsonPropertyName("capabilities")]
    public DeviceCapabilities? Capabilities { get; set; }

    /// <summary>Automatic device configurations that target or were applied to this twin, by configuration id.</summary>
    [JsonPropertyName("configurations")]
    public IDictionary<string, ConfigurationInfo>? Configurations { get; set; }

    /// <summary>The scope of the device's edge parent (nested edge).</summary>
    [JsonPropertyName("deviceScope")]
    public string? DeviceScope { get; set; }

    /// <summary>The scopes of the device's edge parents (nested edge).</summary>
    [JsonPropertyName("parentScopes")]
    public IList<string>? ParentScopes { get; set; }

    /// <summary>Members the hub sent that this type does not model; kept so nothing is lost on a round trip.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The whole twin document as JSON.</summary>
    public string ToJson(bool indented = false)
        => JsonSerializer.Serialize(this, indented ? ServiceJson.Indented : ServiceJson.Options);

    /// <summary>Reads a twin document.</summary>
    /// <exception cref="JsonException">The text is not a twin document.</exception>
    public static Twin FromJson(string json)
        => JsonSerializer.Deserialize<Twin>(json, ServiceJson.Options) ?? throw new JsonException("The JSON is null, not a twin.");

    /// <summary>
    /// The body of a service-side twin write: only <c>tags</c> and <c>properties.desired</c>, since the hub ignores
    /// everything else, without the read-only <c>$metadata</c>/<c>$version</c> a twin read from the hub carries. A
    /// patch leaves out empty sections (nothing to merge); a replace sends both, because an empty section there means
    /// "clear it".
    /// </summary>
    internal JsonObject ToServiceWriteJson(bool replace)
    {
        var body = new JsonObject();
        if (replace || Tags.Count > 0) body["tags"] = WritableCopy(Tags);
        if (replace || Properties.Desired.Count > 0)
            body["properties"] = new JsonObject { ["desired"] = WritableCopy(Properties.Desired) };
        return body;
    }

    private static JsonObject WritableCopy(TwinCollection collection)
    {
        var copy = collection.ToJsonObject();
        copy.Remove(TwinCollection.MetadataName);
        copy.Remove(TwinCollection.VersionName);
        return copy;
    }

    /// <summary>The twin as compact JSON.</summary>
    public override string ToString() => ToJson();
}
