using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// A configuration's metrics: named queries (<c>SELECT deviceId FROM devices WHERE …</c>) and how many twins
/// each counted at the hub's last evaluation. System metrics (<c>targetedCount</c>, <c>appliedCount</c>) are the
/// hub's; custom metrics (up to five) are yours.
/// </summary>
public sealed class ConfigurationMetrics
{
    private IDictionary<string, long> _results = new Dictionary<string, long>();
    private IDictionary<string, string> _queries = new Dictionary<string, string>();

    /// <summary>Metric name → count (computed by the hub).</summary>
    [JsonPropertyName("results")]
    public IDictionary<string, long> Results { get => _results; set => _results = value ?? new Dictionary<string, long>(); }

    /// <summary>Metric name → query.</summary>
    [JsonPropertyName("queries")]
    public IDictionary<string, string> Queries { get => _queries; set => _queries = value ?? new Dictionary<string, string>(); }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Queries.Keys.Select(k => $"{k}={(Results.TryGetValue(k, out var n) ? n : 0)}"));
}
