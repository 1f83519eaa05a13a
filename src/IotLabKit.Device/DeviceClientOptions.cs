namespace IotLabKit.Device;

/// <summary>Settings of a <see cref="DeviceClient"/>. The defaults follow Microsoft's C# device SDK where it has one.</summary>
public sealed class DeviceClientOptions
{
    /// <summary>
    /// The emulator's CA certificate (PEM). Used only when the connection string says <c>UseDevelopmentEmulator=true</c>;
    /// otherwise the environment variable <c>IOTLABKIT_EMULATOR_CA</c>, then the emulator's default data folder.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Appended to the client's product string in the CONNECT user name (<c>DeviceClientType</c>).</summary>
    public string? ProductInfo { get; set; }

    /// <summary>How long each SAS token minted from the device key is valid; it is renewed (by reconnecting) at 75 % of this. Default 1 hour.</summary>
    public TimeSpan SasTokenTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The MQTT keep-alive. Default 300 s, as Microsoft's C# SDK.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How long to wait for the hub to accept a connection, or to acknowledge a publish or subscription. Default 60 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for the answer to a twin request. Default 60 s, as Microsoft's C# SDK.</summary>
    public TimeSpan TwinRequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first reconnect delay; each further attempt doubles it, with jitter. Default 100 ms.</summary>
    public TimeSpan ReconnectMinBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between reconnect attempts. Default 10 s.</summary>
    public TimeSpan ReconnectMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to keep reconnecting after the connection drops before giving up
    /// (<see cref="ConnectionStatus.Disconnected"/>, <see cref="ConnectionStatusChangeReason.Retry_Expired"/>). Default 4 minutes.
    /// </summary>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Receives exceptions thrown by the application's own callbacks (desired-property, message and connection-status
    /// handlers), which the client otherwise swallows so that one bad callback does not stop the others.
    /// </summary>
    public Action<Exception>? CallbackException { get; set; }

    /// <summary>The clock; tests move it to expire tokens. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, value, $"{name} must be greater than zero.");
        }
        Positive(SasTokenTimeToLive, nameof(SasTokenTimeToLive));
        Positive(KeepAlive, nameof(KeepAlive));
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(TwinRequestTimeout, nameof(TwinRequestTimeout));
        Positive(ReconnectMinBackoff, nameof(ReconnectMinBackoff));
        Positive(ReconnectMaxBackoff, nameof(ReconnectMaxBackoff));
        Positive(ReconnectTimeout, nameof(ReconnectTimeout));
        if (KeepAlive > TimeSpan.FromSeconds(1177))
            throw new ArgumentOutOfRangeException(nameof(KeepAlive), KeepAlive, "IoT Hub accepts a keep-alive of at most 1177 seconds.");
    }
}
