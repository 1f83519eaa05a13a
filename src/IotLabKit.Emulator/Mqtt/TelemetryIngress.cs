using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Telemetry;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// Turns a device's <c>devices/{id}/messages/events/{property bag}</c> publish into a stored telemetry message:
/// the bag's <c>$.</c> system properties under their Event Hubs names, the rest as application properties, and the
/// properties IoT Hub stamps (<c>iothub-connection-device-id</c>, <c>-auth-method</c>, <c>-auth-generation-id</c>,
/// <c>iothub-message-source</c>). The publish is acknowledged only after the message is durable.
/// </summary>
public sealed class TelemetryIngress(TelemetryStore store, DeviceRegistry registry)
{
    /// <summary>IoT Hub's limit for a device-to-cloud message body.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    private const string AuthMethod = """{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}""";

    // Bag names → the names readers (AMQP / Event Hubs) see.
    private static readonly Dictionary<string, string> SystemNames = new(StringComparer.Ordinal)
    {
        ["$.mid"] = "message-id",
        ["$.cid"] = "correlation-id",
        ["$.uid"] = "user-id",
        ["$.to"] = "to",
        ["$.ct"] = "content-type",
        ["$.ce"] = "content-encoding",
        ["$.exp"] = "absolute-expiry-time",
        ["$.ctime"] = "iothub-creation-time-utc",
        ["$.schema"] = "iothub-message-schema",
        ["$.sub"] = "dt-subject",
        ["$.ifid"] = "iothub-interface-id",
        ["$.on"] = "iothub-outputname",
        ["$.diagid"] = "diagnostic-id",
        ["$.diagctx"] = "correlation-context",
    };

    /// <summary>Validates and stores one message; throws <see cref="HubException"/> when it cannot be accepted.</summary>
    public Task<TelemetryEvent> AcceptAsync(string deviceId, string propertyBag, byte[] body, bool retain)
    {
        if (body.Length > MaxMessageBytes)
            throw new HubException(Protocol.IotHubErrorCode.MessageTooLarge,
                $"the message body is {body.Length} bytes; IoT Hub's limit is {MaxMessageBytes} bytes (256 KB)");
        if (!MqttPropertyBag.TryDecode(propertyBag, out var pairs, out var error))
            throw HubException.Invalid(error);
        var identity = registry.Find(deviceId) ?? throw HubException.DeviceNotFound(deviceId);
        var system = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["iothub-connection-device-id"] = deviceId,
            ["iothub-connection-auth-method"] = AuthMethod,
            ["iothub-connection-auth-generation-id"] = identity.GenerationId,
            ["iothub-message-source"] = "Telemetry",
        };
        var application = new List<KeyValuePair<string, string?>>();
        foreach (var (key, value) in pairs)
        {
            if (key.StartsWith("$.", StringComparison.Ordinal))
                system[SystemNames.GetValueOrDefault(key, key)] = value ?? "";
            else
                application.Add(new(key, value));
        }
        if (retain) application.Add(new("mqtt-retain", "true"));
        return store.AppendAsync(new TelemetryMessage(deviceId, null, body, system, application));
    }
}
