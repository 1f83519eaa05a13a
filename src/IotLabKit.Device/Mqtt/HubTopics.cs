using System.Globalization;

namespace IotLabKit.Device.Mqtt;

/// <summary>
/// IoT Hub's MQTT topic names for one device, and the parsers for what the hub publishes.
/// Request ids (<c>$rid</c>) travel verbatim; <c>$rid</c> is always the first query parameter.
/// </summary>
internal static class HubTopics
{
    /// <summary>Twin responses (GET and reported PATCH).</summary>
    public const string TwinResponseFilter = "$iothub/twin/res/#";
    /// <summary>Desired-property patches from the back end.</summary>
    public const string DesiredPatchFilter = "$iothub/twin/PATCH/properties/desired/#";
    /// <summary>Direct-method requests.</summary>
    public const string MethodRequestFilter = "$iothub/methods/POST/#";

    private const string TwinResponsePrefix = "$iothub/twin/res/";
    private const string DesiredPatchPrefix = "$iothub/twin/PATCH/properties/desired/";
    private const string MethodRequestPrefix = "$iothub/methods/POST/";

    /// <summary>Cloud-to-device messages for <paramref name="deviceId"/>.</summary>
    public static string CloudToDeviceFilter(string deviceId) => $"devices/{deviceId}/messages/devicebound/#";

    /// <summary>The prefix of every cloud-to-device topic for <paramref name="deviceId"/>.</summary>
    public static string CloudToDevicePrefix(string deviceId) => $"devices/{deviceId}/messages/devicebound/";

    /// <summary>The telemetry topic: <c>devices/{id}/messages/events/</c> followed by the encoded property bag.</summary>
    public static string Telemetry(string deviceId, string propertyBag) => $"devices/{deviceId}/messages/events/{propertyBag}";

    /// <summary>A twin GET request.</summary>
    public static string TwinGet(string rid) => $"$iothub/twin/GET/?$rid={rid}";

    /// <summary>A reported-properties PATCH request.</summary>
    public static string ReportedPatch(string rid) => $"$iothub/twin/PATCH/properties/reported/?$rid={rid}";

    /// <summary>The answer to a direct method.</summary>
    public static string MethodResponse(int status, string rid) => $"$iothub/methods/res/{status.ToString(CultureInfo.InvariantCulture)}/?$rid={rid}";

    /// <summary>What kind of hub-to-device publish a topic is.</summary>
    public static HubTopicKind Classify(string topic, string deviceId)
    {
        if (topic.StartsWith(TwinResponsePrefix, StringComparison.Ordinal)) return HubTopicKind.TwinResponse;
        if (topic.StartsWith(DesiredPatchPrefix, StringComparison.Ordinal)) return HubTopicKind.DesiredPatch;
        if (topic.StartsWith(MethodRequestPrefix, StringComparison.Ordinal)) return HubTopicKind.MethodRequest;
        if (topic.StartsWith(CloudToDevicePrefix(deviceId), StringComparison.Ordinal)) return HubTopicKind.CloudToDevice;
        return HubTopicKind.Unknown;
    }

    /// <summary>
    /// Parses <c>$iothub/twin/res/{status}/?$rid={rid}[&amp;$version={v}]</c>.
    /// </summary>
    public static bool TryParseTwinResponse(string topic, out int status, out string rid, out long? version)
    {
        status = 0; rid = ""; version = null;
        if (!topic.StartsWith(TwinResponsePrefix, StringComparison.Ordinal)) return false;
        var rest = topic.AsSpan(TwinResponsePrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !int.TryParse(rest[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out status)) return false;
        var query = rest[(slash + 1)..];
        if (!query.StartsWith("?")) return false;
        string? ridValue = null;
        foreach (var (key, value) in QueryParameters(query[1..].ToString()))
        {
            if (key == "$rid") ridValue ??= value;
            else if (key == "$version" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) version = v;
        }
        if (string.IsNullOrEmpty(ridValue)) return false;
        rid = ridValue;
        return true;
    }

    /// <summary>Parses <c>$iothub/twin/PATCH/properties/desired/?$version={v}</c>; the version is null when absent.</summary>
    public static bool TryParseDesiredPatch(string topic, out long? version)
    {
        version = null;
        if (!topic.StartsWith(DesiredPatchPrefix, StringComparison.Ordinal)) return false;
        var rest = topic[DesiredPatchPrefix.Length..];
        if (rest.StartsWith('?'))
        {
            foreach (var (key, value) in QueryParameters(rest[1..]))
                if (key == "$version" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) version = v;
        }
        return true;
    }

    /// <summary>
    /// Parses <c>$iothub/methods/POST/{name}/?$rid={rid}</c>. The rid is everything after <c>?$rid=</c>
    /// (IoT Hub puts nothing after it), and the name cannot contain a slash.
    /// </summary>
    public static bool TryParseMethodRequest(string topic, out string name, out string rid)
    {
        name = ""; rid = "";
        if (!topic.StartsWith(MethodRequestPrefix, StringComparison.Ordinal)) return false;
        var rest = topic[MethodRequestPrefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0) return false;
        const string ridMarker = "?$rid=";
        var tail = rest[(slash + 1)..];
        if (!tail.StartsWith(ridMarker, StringComparison.Ordinal) || tail.Length == ridMarker.Length) return false;
        name = rest[..slash];
        rid = tail[ridMarker.Length..];
        return true;
    }

    /// <summary>The property bag of a cloud-to-device topic: everything after <c>devicebound/</c>.</summary>
    public static string CloudToDevicePropertyBag(string topic, string deviceId) => topic[CloudToDevicePrefix(deviceId).Length..];

    private static IEnumerable<(string Key, string Value)> QueryParameters(string query)
    {
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            yield return eq < 0 ? (part, "") : (part[..eq], part[(eq + 1)..]);
        }
    }
}

/// <summary>The kinds of publish the hub sends a device.</summary>
internal enum HubTopicKind
{
    /// <summary>Not a topic this client knows.</summary>
    Unknown,
    /// <summary>An answer to a twin GET or PATCH.</summary>
    TwinResponse,
    /// <summary>A desired-properties patch.</summary>
    DesiredPatch,
    /// <summary>A direct-method request.</summary>
    MethodRequest,
    /// <summary>A cloud-to-device message.</summary>
    CloudToDevice,
}
