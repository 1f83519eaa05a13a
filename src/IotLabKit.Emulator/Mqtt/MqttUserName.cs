namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// The CONNECT user name IoT Hub expects: <c>{host}/{deviceId}/?api-version=…&amp;DeviceClientType=…</c>
/// (<c>{host}/{deviceId}/{moduleId}/?…</c> for modules; <c>model-id</c> and other parameters may follow).
/// The SDKs put the client id in unencoded and URL-encode only the query values.
/// </summary>
/// <param name="Host">The host as written, port included when the device's connection string had one.</param>
/// <param name="DeviceId">The device id.</param>
/// <param name="ModuleId">The module id, or null.</param>
/// <param name="Parameters">The query parameters, decoded (api-version, DeviceClientType, model-id …).</param>
public sealed record MqttUserName(string Host, string DeviceId, string? ModuleId, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The api-version the device sent, or null. Any value is accepted, as the SDKs send several.</summary>
    public string? ApiVersion => Parameters.GetValueOrDefault("api-version");

    /// <summary>The IoT Plug and Play model id the device announced (<c>model-id</c>), or null.</summary>
    public string? ModelId => Parameters.GetValueOrDefault("model-id");

    /// <summary>Reads a user name; false with a reason when it is not IoT Hub's shape.</summary>
    public static bool TryParse(string? userName, out MqttUserName? result, out string error)
    {
        result = null;
        if (string.IsNullOrEmpty(userName))
        {
            error = "The CONNECT packet has no user name; IoT Hub needs '{host}/{deviceId}/?api-version=…'.";
            return false;
        }
        var slash = userName.IndexOf('/');
        if (slash <= 0)
        {
            error = $"The user name '{userName}' does not start with the hub's host name: expected '{{host}}/{{deviceId}}/?api-version=…'.";
            return false;
        }
        var host = userName[..slash];
        var rest = userName[(slash + 1)..];
        // Ids never contain '/', so the first "/?" ends the identity part; '?' alone may be part of a device id.
        var queryStart = rest.IndexOf("/?", StringComparison.Ordinal);
        string identity, query;
        if (queryStart >= 0) { identity = rest[..queryStart]; query = rest[(queryStart + 2)..]; }
        else { identity = rest.TrimEnd('/'); query = ""; }
        var ids = identity.Split('/');
        if (ids.Length is < 1 or > 2 || ids.Any(string.IsNullOrEmpty))
        {
            error = $"The user name '{userName}' does not name a device: expected '{{host}}/{{deviceId}}/?api-version=…'.";
            return false;
        }
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = Unescape(eq < 0 ? part : part[..eq]);
            parameters.TryAdd(key, eq < 0 ? "" : Unescape(part[(eq + 1)..]));
        }
        result = new MqttUserName(host, ids[0], ids.Length == 2 ? ids[1] : null, parameters);
        error = "";
        return true;
    }

    private static string Unescape(string text)
    {
        try { return Uri.UnescapeDataString(text); }
        catch (UriFormatException) { return text; }
    }
}
