using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// What a configuration writes into the twins it targets: for devices, a map from twin path to value
/// (<c>"properties.desired.firmware": {"version":"1.0.1"}</c>); for one module, the same in
/// <see cref="ModuleContent"/>; for IoT Edge deployments, per module in <see cref="ModulesContent"/>. Values read
/// from the hub are plain (<see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>,
/// <c>Dictionary&lt;string, object?&gt;</c>, <c>object?[]</c>); a null value removes the property from the twins.
/// </summary>
public sealed class ConfigurationContent
{
    private IDictionary<string, IDictionary<string, object?>> _modulesContent = new Dictionary<string, IDictionary<string, object?>>();
    private IDictionary<string, object?> _moduleContent = new Dictionary<string, object?>();
    private IDictionary<string, object?> _deviceContent = new Dictionary<string, object?>();

    /// <summary>IoT Edge deployments: module name (<c>$edgeAgent</c>, <c>$edgeHub</c>, …) → twin path → value.</summary>
    [JsonPropertyName("modulesContent")]
    [JsonConverter(typeof(PlainJsonMapOfMapsConverter))]
    public IDictionary<string, IDictionary<string, object?>> ModulesContent { get => _modulesContent; set => _modulesContent = value ?? new Dictionary<string, IDictionary<string, object?>>(); }

    /// <summary>Module configurations: twin path (starting <c>properties.desired</c>) → value.</summary>
    [JsonPropertyName("moduleContent")]
    [JsonConverter(typeof(PlainJsonMapConverter))]
    public IDictionary<string, object?> ModuleContent { get => _moduleContent; set => _moduleContent = value ?? new Dictionary<string, object?>(); }

    /// <summary>Device configurations: twin path (starting <c>properties.desired</c>) → value.</summary>
    [JsonPropertyName("deviceContent")]
    [JsonConverter(typeof(PlainJsonMapConverter))]
    public IDictionary<string, object?> DeviceContent { get => _deviceContent; set => _deviceContent = value ?? new Dictionary<string, object?>(); }

    /// <inheritdoc />
    public override string ToString()
        => $"{DeviceContent.Count} device path(s), {ModuleContent.Count} module path(s), {ModulesContent.Count} edge module(s)";
}
