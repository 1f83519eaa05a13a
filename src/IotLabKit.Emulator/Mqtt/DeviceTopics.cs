using System.Globalization;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>What a device's PUBLISH asks of the hub.</summary>
public enum DevicePublishKind
{
    /// <summary>Not a topic a device may publish to.</summary>
    Unsupported,
    /// <summary><c>devices/{id}/messages/events/{property bag}</c>.</summary>
    Telemetry,
    /// <summary><c>$iothub/twin/GET/?$rid={rid}</c>.</summary>
    TwinGet,
    /// <summary><c>$iothub/twin/PATCH/properties/reported/?$rid={rid}</c>.</summary>
    TwinReportedPatch,
    /// <summary>Another <c>$iothub/twin/…</c> topic (answered with an error when it carries a <c>$rid</c>).</summary>
    TwinUnknown,
    /// <summary><c>$iothub/methods/res/{status}/?$rid={rid}</c>.</summary>
    MethodResponse,
}

/// <summary>A device publish, classified.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="RequestId">The <c>$rid</c> (twin requests, method responses), verbatim.</param>
/// <param name="Status">The status of a method response.</param>
/// <param name="PropertyBag">The still-encoded property bag of a telemetry message ("" when none).</param>
public readonly record struct DevicePublish(DevicePublishKind Kind, string? RequestId = null, int Status = 0, string PropertyBag = "");

/// <summary>What a device's SUBSCRIBE filter is for.</summary>
public enum DeviceSubscription
{
    /// <summary>Answers to twin requests: <c>$iothub/twin/res/#</c>.</summary>
    TwinResponses,
    /// <summary>Desired-property patches: <c>$iothub/twin/PATCH/properties/desired/#</c>.</summary>
    DesiredPatches,
    /// <summary>Direct-method requests: <c>$iothub/methods/POST/#</c>.</summary>
    MethodRequests,
    /// <summary>Cloud-to-device messages: <c>devices/{id}/messages/devicebound/#</c>.</summary>
    CloudToDevice,
}

/// <summary>
/// IoT Hub's MQTT topics from the hub's side: which device publishes and subscriptions are allowed and what they
/// mean, and the topics the hub publishes to a device. Request ids travel verbatim and <c>$rid</c> is always the
/// first query parameter the hub writes (the C SDK reads it from there).
/// </summary>
public static class DeviceTopics
{
    /// <summary>The filter for twin answers.</summary>
    public const string TwinResponseFilter = "$iothub/twin/res/#";
    /// <summary>The filter for desired-property patches.</summary>
    public const string DesiredPatchFilter = "$iothub/twin/PATCH/properties/desired/#";
    /// <summary>The filter for direct-method requests.</summary>
    public const string MethodRequestFilter = "$iothub/methods/POST/#";

    private const string TwinPrefix = "$iothub/twin/";
    private const string TwinGetPrefix = "$iothub/twin/GET/";
    private const string ReportedPatchPrefix = "$iothub/twin/PATCH/properties/reported/";
    private const string MethodResponsePrefix = "$iothub/methods/res/";

    /// <summary>The cloud-to-device filter of a device.</summary>
    public static string CloudToDeviceFilter(string deviceId) => $"devices/{deviceId}/messages/devicebound/#";

    /// <summary>The prefix of every cloud-to-device publish to a device.</summary>
    public static string CloudToDevicePrefix(string deviceId) => $"devices/{deviceId}/messages/devicebound/";

    /// <summary>A cloud-to-device publish: <c>devices/{id}/messages/devicebound/{property bag}</c>.</summary>
    public static string CloudToDevice(string deviceId, string propertyBag) => CloudToDevicePrefix(deviceId) + propertyBag;

    /// <summary>The filter a device subscribes with for <paramref name="subscription"/>.</summary>
    public static string Filter(DeviceSubscription subscription, string deviceId) => subscription switch
    {
        DeviceSubscription.TwinResponses => TwinResponseFilter,
        DeviceSubscription.DesiredPatches => DesiredPatchFilter,
        DeviceSubscription.MethodRequests => MethodRequestFilter,
        _ => CloudToDeviceFilter(deviceId),
    };

    /// <summary>Classifies a topic <paramref name="deviceId"/> published to.</summary>
    public static DevicePublish ClassifyPublish(string topic, string deviceId)
    {
        var telemetry = $"devices/{deviceId}/messages/events";
        if (topic.StartsWith(telemetry, StringComparison.Ordinal))
        {
            var tail = topic[telemetry.Length..];
            if (tail.Length == 0) return new DevicePublish(DevicePublishKind.Telemetry);
            if (tail[0] == '/') return new DevicePublish(DevicePublishKind.Telemetry, PropertyBag: tail[1..]);
            return new DevicePublish(DevicePublishKind.Unsupported);
        }
        if (topic.StartsWith(TwinPrefix, StringComparison.Ordinal))
        {
            var rid = RequestId(topic);
            if (topic.StartsWith(TwinGetPrefix, StringComparison.Ordinal) && IsQueryOnly(topic, TwinGetPrefix.Length) && rid is not null)
                return new DevicePublish(DevicePublishKind.TwinGet, rid);
            if (topic.StartsWith(ReportedPatchPrefix, StringComparison.Ordinal) && IsQueryOnly(topic, ReportedPatchPrefix.Length) && rid is not null)
                return new DevicePublish(DevicePublishKind.TwinReportedPatch, rid);
            return new DevicePublish(DevicePublishKind.TwinUnknown, rid);
        }
        if (topic.StartsWith(MethodResponsePrefix, StringComparison.Ordinal))
        {
            var rest = topic.AsSpan(MethodResponsePrefix.Length);
            var slash = rest.IndexOf('/');
            if (slash > 0
                && int.TryParse(rest[..slash], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var status)
                && RequestId(topic) is { } rid)
                return new DevicePublish(DevicePublishKind.MethodResponse, rid, status);
        }
        return new DevicePublish(DevicePublishKind.Unsupported);
    }

    /// <summary>What a SUBSCRIBE filter of <paramref name="deviceId"/> is for; null when IoT Hub does not offer it.</summary>
    public static DeviceSubscription? ClassifyFilter(string filter, string deviceId) => filter switch
    {
        TwinResponseFilter => DeviceSubscription.TwinResponses,
        DesiredPatchFilter => DeviceSubscription.DesiredPatches,
        MethodRequestFilter => DeviceSubscription.MethodRequests,
        _ when filter == CloudToDeviceFilter(deviceId) => DeviceSubscription.CloudToDevice,
        _ => null,
    };

    /// <summary>The answer to a twin request: <c>$iothub/twin/res/{status}/?$rid={rid}[&amp;$version={v}]</c>.</summary>
    public static string TwinResponse(int status, string rid, long? version = null)
        => version is { } v
            ? $"$iothub/twin/res/{status.ToString(CultureInfo.InvariantCulture)}/?$rid={rid}&$version={v.ToString(CultureInfo.InvariantCulture)}"
            : $"$iothub/twin/res/{status.ToString(CultureInfo.InvariantCulture)}/?$rid={rid}";

    /// <summary>A desired-properties patch: <c>$iothub/twin/PATCH/properties/desired/?$version={v}</c>.</summary>
    public static string DesiredPatch(long version)
        => $"$iothub/twin/PATCH/properties/desired/?$version={version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A method request: <c>$iothub/methods/POST/{name}/?$rid={rid}</c> (nothing may follow the rid).</summary>
    public static string MethodRequest(string methodName, string rid) => $"$iothub/methods/POST/{methodName}/?$rid={rid}";

    // "$iothub/twin/GET/?$rid=1" is fine; "$iothub/twin/GET/extra/?$rid=1" is not a GET.
    private static bool IsQueryOnly(string topic, int at) => at < topic.Length && topic[at] == '?';

    /// <summary>The <c>$rid</c> query parameter of a topic, verbatim; null when absent or empty.</summary>
    public static string? RequestId(string topic)
    {
        var q = topic.IndexOf('?');
        if (q < 0) return null;
        foreach (var part in topic[(q + 1)..].Split('&'))
        {
            if (part.StartsWith("$rid=", StringComparison.Ordinal) && part.Length > 5) return part[5..];
        }
        return null;
    }
}
