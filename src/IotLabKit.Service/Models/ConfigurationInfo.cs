using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>Whether an automatic device configuration targets or has been applied to a twin.</summary>
[JsonConverter(typeof(WireEnumConverter<ConfigurationStatus>))]
public enum ConfigurationStatus
{
    /// <summary>The device matches the configuration's target condition.</summary>
    Targeted = 0,
    /// <summary>The configuration's content has been applied.</summary>
    Applied = 1,
}

/// <summary>One entry of a twin's <c>configurations</c> map.</summary>
public sealed class ConfigurationInfo
{
    /// <summary>The configuration's status for this twin.</summary>
    [JsonPropertyName("status")]
    public ConfigurationStatus Status { get; set; }

    /// <inheritdoc />
    public override string ToString() => Status.ToString();
}
