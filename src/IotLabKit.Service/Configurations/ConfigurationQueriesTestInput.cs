using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>Queries to check before creating a configuration: its target condition and custom metric queries.</summary>
public sealed class ConfigurationQueriesTestInput
{
    private IDictionary<string, string> _customMetricQueries = new Dictionary<string, string>();

    /// <summary>The target condition to check.</summary>
    [JsonPropertyName("targetCondition")]
    public string? TargetCondition { get; set; }

    /// <summary>Metric name → query to check.</summary>
    [JsonPropertyName("customMetricQueries")]
    public IDictionary<string, string> CustomMetricQueries { get => _customMetricQueries; set => _customMetricQueries = value ?? new Dictionary<string, string>(); }
}
