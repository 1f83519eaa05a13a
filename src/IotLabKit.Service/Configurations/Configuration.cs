using System.Text.Json;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// An automatic device (or module) configuration: content written into the desired properties of every twin that
/// matches <see cref="TargetCondition"/>, the highest <see cref="Priority"/> winning, with metrics counting the
/// twins it targets and has been applied to. Shaped like Microsoft's <c>Configuration</c>.
/// </summary>
public sealed class Configuration
{
    private IDictionary<string, string> _labels = new Dictionary<string, string>();
    private ConfigurationContent _content = new();
    private ConfigurationMetrics _systemMetrics = new();
    private ConfigurationMetrics _metrics = new();

    /// <summary>Creates an empty configuration (for deserialization and object initializers).</summary>
    public Configuration()
    {
    }

    /// <summary>Creates a configuration with the given id.</summary>
    /// <param name="configurationId">Up to 128 characters, without white space or <c>&amp; ^ [ ] { } \ | " &lt; &gt; / .</c> (the portal also wants lower case).</param>
    public Configuration(string configurationId)
    {
        Id = configurationId;
    }

    /// <summary>The configuration's id.</summary>
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    /// <summary>The schema version; <c>1.0</c>.</summary>
    [JsonPropertyName("schemaVersion")]
    public string SchemaVersion { get; set; } = "1.0";

    /// <summary>Free labels (name → value) to describe and find configurations.</summary>
    [JsonPropertyName("labels")]
    public IDictionary<string, string> Labels { get => _labels; set => _labels = value ?? new Dictionary<string, string>(); }

    /// <summary>What the configuration writes into the twins it targets (cannot change after creation).</summary>
    [JsonPropertyName("content")]
    public ConfigurationContent Content { get => _content; set => _content = value ?? new(); }

    /// <summary>The content's kind, as Microsoft's client sends it (<c>assignment</c>); the hub does not use it.</summary>
    [JsonPropertyName("contentType")]
    public string? ContentType { get; set; } = "assignment";

    /// <summary>
    /// Which twins it applies to: a WHERE condition over device twins (<c>tags.environment='test'</c>, <c>*</c> for
    /// all), or for module configurations <c>FROM devices.modules WHERE …</c>.
    /// </summary>
    [JsonPropertyName("targetCondition")]
    public string? TargetCondition { get; set; }

    /// <summary>When the hub created it (UTC).</summary>
    [JsonPropertyName("createdTimeUtc")]
    public DateTime CreatedTimeUtc { get; set; }

    /// <summary>When it last changed (UTC).</summary>
    [JsonPropertyName("lastUpdatedTimeUtc")]
    public DateTime LastUpdatedTimeUtc { get; set; }

    /// <summary>Which configuration wins where two write the same path: the higher; on a tie, the newer.</summary>
    [JsonPropertyName("priority")]
    public int Priority { get; set; }

    /// <summary>The hub's own metrics (<c>targetedCount</c>, <c>appliedCount</c>); read-only.</summary>
    [JsonPropertyName("systemMetrics")]
    public ConfigurationMetrics SystemMetrics { get => _systemMetrics; set => _systemMetrics = value ?? new(); }

    /// <summary>Custom metrics (up to five named queries).</summary>
    [JsonPropertyName("metrics")]
    public ConfigurationMetrics Metrics { get => _metrics; set => _metrics = value ?? new(); }

    /// <summary>The configuration's entity tag, for conditional updates and deletes.</summary>
    [JsonPropertyName("etag")]
    public string? ETag { get; set; }

    /// <summary>Members the hub sent that this type does not model; kept so nothing is lost on a round trip.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The configuration as JSON, in the hub's shape.</summary>
    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, indented ? ServiceJson.Indented : ServiceJson.Options);

    /// <summary>Reads a configuration in the hub's shape.</summary>
    /// <exception cref="JsonException">The text is not a configuration.</exception>
    public static Configuration FromJson(string json)
        => JsonSerializer.Deserialize<Configuration>(json, ServiceJson.Options) ?? throw new JsonException("The JSON is null, not a configuration.");

    /// <inheritdoc />
    public override string ToString() => $"{Id} (priority {Priority}, target {TargetCondition ?? "none"})";
}
