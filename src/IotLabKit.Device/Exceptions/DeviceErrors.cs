using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using IotLabKit.Protocol;
using MQTTnet;
using MQTTnet.Exceptions;

namespace IotLabKit.Device;

/// <summary>The one place that turns what the hub or the network said into a typed <see cref="IotHubException"/>.</summary>
internal static class DeviceErrors
{
    /// <summary>
    /// The error for a response with <paramref name="status"/> and <paramref name="body"/> (a twin response),
    /// or null when it is a success: status below 300 and no <c>errorCode</c> in the body.
    /// </summary>
    public static IotHubException? FromResponse(int status, ReadOnlySpan<byte> body, string operation)
    {
        var (isErrorBody, code, message) = ReadErrorBody(body);
        if (status < 300 && !isErrorBody) return null;
        if (status < 300) status = code is { } c ? c.HttpStatus() : 500;
        var text = $"{operation} failed: the hub answered {status}"
                   + (code is { } named ? $" ({named})" : "")
                   + (string.IsNullOrWhiteSpace(message) ? "." : $": {message}");
        return status switch
        {
            401 => new UnauthorizedException(text),
            404 => new DeviceNotFoundException(text, code ?? IotHubErrorCode.DeviceNotFound),
            413 => new MessageTooLargeException(text),
            429 => new IotHubThrottledException(text, code ?? IotHubErrorCode.ThrottlingException),
            503 => new ServerBusyException(text, code ?? IotHubErrorCode.ServiceUnavailable),
            _ => new IotHubException(text, status, code, isTransient: status is 500 or 504),
        };
    }

    /// <summary>The error for a refused CONNECT.</summary>
    public static IotHubException FromConnectResult(MqttClientConnectResultCode code, string target) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized =>
            new UnauthorizedException($"The hub refused the device credentials (CONNACK {Describe(code)}) at {target}. Check the device id and key in the connection string, and that the device exists and is enabled."),
        MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy =>
            new ServerBusyException($"The hub at {target} is unavailable (CONNACK {Describe(code)}); try again later."),
        MqttClientConnectResultCode.ClientIdentifierNotValid =>
            new IotHubException($"The hub at {target} rejected the client id (CONNACK {Describe(code)}); the device id in the connection string is not valid.", 400, IotHubErrorCode.ArgumentInvalid, false),
        MqttClientConnectResultCode.UnsupportedProtocolVersion =>
            new IotHubException($"The server at {target} does not speak MQTT 3.1.1 (CONNACK {Describe(code)}).", 400, IotHubErrorCode.InvalidProtocolVersion, false),
        _ => new IotHubException($"The hub at {target} refused the connection (CONNACK {Describe(code)}).", null, null, false),
    };

    /// <summary>The error for a failure below MQTT: DNS, TCP, TLS, a dropped connection.</summary>
    public static IotHubException FromTransport(Exception ex, string target)
    {
        if (ex is IotHubException hub) return hub;
        var root = ex;
        while (root.InnerException is not null && root is MqttCommunicationException or IOException or AggregateException)
            root = root.InnerException;
        return root switch
        {
            AuthenticationException auth => new IotHubException(
                $"The TLS handshake with {target} failed: {auth.Message} The server certificate is not trusted or does not name this host. "
                + "For the emulator, put UseDevelopmentEmulator=true in the connection string and point CaCertificatePath (or "
                + EmulatorTrust.CaEnvironmentVariable + ") at its ca.pem.", null, null, false, ex),
            SocketException sock => new IotHubCommunicationException(
                $"Could not reach the hub at {target}: {sock.SocketErrorCode} ({sock.Message}). Is it running, and is the host name and port right?", ex),
            MqttCommunicationTimedOutException or TimeoutException => new IotHubCommunicationException(
                $"The hub at {target} did not answer in time.", ex),
            MqttClientNotConnectedException => new IotHubCommunicationException(
                $"The connection to {target} is not open.", ex),
            _ => new IotHubCommunicationException($"The connection to {target} failed: {root.Message}", ex),
        };
    }

    private static string Describe(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.UnsupportedProtocolVersion => "1, unacceptable protocol version",
        MqttClientConnectResultCode.ClientIdentifierNotValid => "2, identifier rejected",
        MqttClientConnectResultCode.ServerUnavailable => "3, server unavailable",
        MqttClientConnectResultCode.BadUserNameOrPassword => "4, bad user name or password",
        MqttClientConnectResultCode.NotAuthorized => "5, not authorized",
        _ => code.ToString(),
    };

    /// <summary>Reads <c>errorCode</c> and <c>message</c> (or <c>Message</c>) from an error body, when it is one.</summary>
    private static (bool IsErrorBody, IotHubErrorCode? Code, string? Message) ReadErrorBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return (false, null, null);
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (false, null, null);
            IotHubErrorCode? code = null;
            string? message = null;
            bool hasErrorCode = false;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.NameEquals("errorCode") || p.NameEquals("ErrorCode"))
                {
                    hasErrorCode = true;
                    var raw = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetRawText() : p.Value.ToString();
                    if (IotHubErrorCodes.TryParse(raw, out var parsed)) code = parsed;
                }
                else if (p.NameEquals("message") || p.NameEquals("Message"))
                    message = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
            }
            return (hasErrorCode, code, message);
        }
        catch (JsonException)
        {
            return (false, null, null);
        }
    }
}
