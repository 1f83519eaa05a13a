using System.Reflection;
using System.Runtime.InteropServices;
using IotLabKit.Protocol;

namespace IotLabKit.Device.Mqtt;

/// <summary>
/// What a device puts in CONNECT, from its connection string: client id, user name, password (a device SAS token
/// minted fresh for each connection when the connection string has a key), and where to open the socket.
/// </summary>
internal sealed class HubCredentials
{
    /// <summary>The api-version the client speaks (the one Node's device SDK sends).</summary>
    public const string ApiVersion = "2021-04-12";
    /// <summary>IoT Hub's MQTT-over-TLS port.</summary>
    public const int MqttTlsPort = 8883;
    /// <summary>IoT Hub's HTTPS/WebSocket port.</summary>
    public const int WebSocketPort = 443;
    /// <summary>The WebSocket path of IoT Hub's MQTT endpoint.</summary>
    public const string WebSocketPath = "/$iothub/websocket";

    private readonly IotHubConnectionString _cs;

    public HubCredentials(IotHubConnectionString connectionString, string? productInfo)
    {
        _cs = connectionString;
        if (string.IsNullOrEmpty(connectionString.DeviceId))
            throw new ArgumentException("The connection string has no DeviceId; a device client needs a device connection string (HostName=…;DeviceId=…;SharedAccessKey=…).", nameof(connectionString));
        if (connectionString.ModuleId is not null)
            throw new ArgumentException("The connection string names a module (ModuleId); DeviceClient connects devices only.", nameof(connectionString));
        UserName = BuildUserName(connectionString.HostName, connectionString.DeviceId, productInfo);
    }

    /// <summary>The device id, which is also the MQTT client id.</summary>
    public string DeviceId => _cs.DeviceId!;

    /// <summary>The host name as in the connection string (port included when given).</summary>
    public string HostName => _cs.HostName;

    /// <summary>True when the connection string asks to trust the emulator's CA.</summary>
    public bool UseDevelopmentEmulator => _cs.UseDevelopmentEmulator;

    /// <summary>True when passwords can be renewed (the connection string has a key, not a fixed token).</summary>
    public bool CanRenew => _cs.SharedAccessKey is not null;

    /// <summary><c>{HostName}/{deviceId}/?api-version=…&amp;DeviceClientType=…</c>.</summary>
    public string UserName { get; }

    /// <summary>The host and port to open the socket to: <c>GatewayHostName</c> when given, else <c>HostName</c>.</summary>
    public (string Host, int Port) Target(TransportType transport)
    {
        var (host, port) = IotHubConnectionString.SplitHost(_cs.GatewayHostName ?? _cs.HostName);
        return (host.Trim('[', ']'), port ?? (transport == TransportType.Mqtt_WebSocket_Only ? WebSocketPort : MqttTlsPort));
    }

    /// <summary>The WebSocket URI for <see cref="TransportType.Mqtt_WebSocket_Only"/>.</summary>
    public string WebSocketUri()
    {
        var (host, port) = Target(TransportType.Mqtt_WebSocket_Only);
        var hostPart = host.Contains(':') ? $"[{host}]" : host;
        return $"wss://{hostPart}:{port}{WebSocketPath}";
    }

    /// <summary>
    /// The password for a CONNECT at <paramref name="now"/>: a device SAS token for <c>{HostName}/devices/{deviceId}</c>
    /// valid for <paramref name="timeToLive"/> (signed with the device key, or with a policy key and <c>skn</c> when the
    /// connection string names a policy with DeviceConnect), or the fixed token from the connection string.
    /// </summary>
    public (string Password, DateTimeOffset? ExpiresOn) Password(DateTimeOffset now, TimeSpan timeToLive)
    {
        if (_cs.SharedAccessKey is { } key)
        {
            var expires = now + timeToLive;
            return (SharedAccessSignature.Create($"{_cs.HostName}/devices/{DeviceId}", key, _cs.SharedAccessKeyName, expires), expires);
        }
        var token = _cs.SharedAccessSignature!;
        if (!token.StartsWith(SharedAccessSignature.Scheme, StringComparison.OrdinalIgnoreCase))
            token = SharedAccessSignature.Scheme + " " + token;
        return (token, SharedAccessSignature.TryParse(token, out var parsed, out _) ? DateTimeOffset.FromUnixTimeSeconds(parsed!.ExpiresOn) : null);
    }

    /// <summary>Builds the CONNECT user name IoT Hub expects.</summary>
    public static string BuildUserName(string hostName, string deviceId, string? productInfo)
        => $"{hostName}/{deviceId}/?api-version={ApiVersion}&DeviceClientType={Uri.EscapeDataString(ClientType(productInfo))}";

    /// <summary>The product string: <c>IotLabKit.Device/{version} ({runtime}; {os}; {arch})</c> plus the app's own.</summary>
    public static string ClientType(string? productInfo)
    {
        var version = typeof(HubCredentials).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+');
        if (plus > 0) version = version[..plus];
        var text = $"IotLabKit.Device/{version} ({RuntimeInformation.FrameworkDescription}; {RuntimeInformation.OSDescription}; {RuntimeInformation.ProcessArchitecture})";
        return string.IsNullOrWhiteSpace(productInfo) ? text : $"{text} {productInfo.Trim()}";
    }
}
