using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>What the hub found wrong with a configuration's queries; empty texts mean they are fine.</summary>
public sealed class ConfigurationQueriesTestResponse
{
    private IDictionary<string, string> _customMetricQueryErrors = new Dictionary<string, string>();

    /// <summary>What is wrong with the target condition; empty or null when nothing is.</summary>
    [JsonPropertyName("targetConditionError")]
    public string? TargetConditionError { get; set; }

    /// <summary>Metric name → what is wrong with its query; only metrics with errors need appear.</summary>
    [JsonPropertyName("customMetricQueryErrors")]
    public IDictionary<string, string> CustomMetricQueryErrors { get => _customMetricQueryErrors; set => _customMetricQueryErrors = value ?? new Dictionary<string, string>(); }

    /// <summary>True when the hub found nothing wrong.</summary>
    [JsonIgnore]
    public bool IsValid => string.IsNullOrEmpty(TargetConditionError) && CustomMetricQueryErrors.Values.All(string.IsNullOrEmpty);
}
