using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core.Methods;

/// <summary>
/// IoT Hub's rules for a direct-method call, in one place: the request body of <c>POST /twins/{id}/methods</c>
/// (and of a method job's <c>cloudToDeviceMethod</c>), the name rule, the timeout ranges and the 128 KB payload limit.
/// </summary>
public static class DirectMethodRequestReader
{
    /// <summary>The largest payload, either way, in bytes of UTF-8 JSON (IoT Hub: 128 KB).</summary>
    public const int MaxPayloadBytes = 128 * 1024;
    /// <summary>The response timeout when the request gives none.</summary>
    public const int DefaultResponseTimeoutSeconds = 30;
    /// <summary>The shortest response timeout IoT Hub documents.</summary>
    public const int MinResponseTimeoutSeconds = 5;
    /// <summary>The longest response or connect timeout IoT Hub documents.</summary>
    public const int MaxTimeoutSeconds = 300;

    // Printable US-ASCII except these (IoT Hub's rule for method names); '/' would also break the MQTT topic.
    private const string ForbiddenNameCharacters = "$()<>@,;:\\\"/[]?={} \t";

    /// <summary>
    /// Reads a request body. Out-of-range timeouts are <c>400 ArgumentInvalid</c> rather than silently clamped (the
    /// hub's behaviour there is undocumented); a timeout of 0 or less, or none, means the default, as the C# SDK omits it
    /// then. The payload may be any JSON value; a missing one is <c>null</c>.
    /// </summary>
    /// <exception cref="HubException">ArgumentInvalid / ArgumentNull / MessageTooLarge.</exception>
    public static DirectMethodCall Read(JsonObject body)
    {
        var name = body["methodName"] switch
        {
            null => throw new HubException(IotHubErrorCode.ArgumentNull, "The request has no methodName."),
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => throw HubException.Invalid("methodName must be a string."),
        };
        ValidateMethodName(name);
        var payload = body["payload"]?.DeepClone();
        ValidatePayloadSize(payload, "request");
        var response = Seconds(body, "responseTimeoutInSeconds", DefaultResponseTimeoutSeconds, MinResponseTimeoutSeconds);
        var connect = Seconds(body, "connectTimeoutInSeconds", 0, 0);
        return new DirectMethodCall(name, payload, TimeSpan.FromSeconds(response), TimeSpan.FromSeconds(connect));
    }

    /// <summary>Throws <c>ArgumentInvalid</c> unless <paramref name="name"/> is a valid method name.</summary>
    public static void ValidateMethodName(string name)
    {
        if (string.IsNullOrEmpty(name)) throw HubException.Invalid("methodName must not be empty.");
        foreach (var c in name)
        {
            if (c < 0x21 || c > 0x7E || ForbiddenNameCharacters.Contains(c))
                throw HubException.Invalid($"The method name '{name}' contains '{(c < 0x21 || c > 0x7E ? $"U+{(int)c:X4}" : c.ToString())}': method names are printable US-ASCII without spaces or any of $ ( ) < > @ , ; : \\ \" / [ ] ? = {{ }}.");
        }
    }

    /// <summary>The payload as the device receives it: its JSON text, <c>null</c> for none.</summary>
    public static byte[] EncodePayload(JsonNode? payload)
        => Encoding.UTF8.GetBytes(payload is null ? "null" : HubJson.Write(payload));

    /// <summary>Throws <c>MessageTooLarge</c> when the payload's JSON is over 128 KB.</summary>
    public static void ValidatePayloadSize(JsonNode? payload, string which)
    {
        var size = payload is null ? 4 : Encoding.UTF8.GetByteCount(HubJson.Write(payload));
        if (size > MaxPayloadBytes)
            throw new HubException(IotHubErrorCode.MessageTooLarge,
                $"The method {which} payload is {size} bytes of JSON; the limit is {MaxPayloadBytes} bytes (128 KB).");
    }

    private static int Seconds(JsonObject body, string name, int defaultValue, int min)
    {
        var node = body[name];
        if (node is null) return defaultValue;
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<double>(out var number)
            || number != Math.Floor(number))
            throw HubException.Invalid($"{name} must be a whole number of seconds.");
        if (number <= 0 && min > 0) return defaultValue;
        if (number < min || number > MaxTimeoutSeconds)
            throw HubException.Invalid($"{name} is {number}; it must be from {min} to {MaxTimeoutSeconds} seconds.");
        return (int)number;
    }
}
