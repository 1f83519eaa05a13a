namespace IotLabKit.Device;

/// <summary>
/// The transport a <see cref="DeviceClient"/> speaks. The values match Microsoft's
/// <c>Microsoft.Azure.Devices.Client.TransportType</c> so lab code reads (and casts) the same; only the MQTT
/// transports are implemented.
/// </summary>
public enum TransportType
{
    /// <summary>AMQP over TCP with WebSocket fallback (not supported by this client).</summary>
    Amqp = 0,
    /// <summary>HTTPS polling (not supported by this client).</summary>
    Http1 = 1,
    /// <summary>AMQP over WebSocket (not supported by this client).</summary>
    Amqp_WebSocket_Only = 2,
    /// <summary>AMQP over TCP (not supported by this client).</summary>
    Amqp_Tcp_Only = 3,
    /// <summary>MQTT 3.1.1 over TLS on port 8883 (the default).</summary>
    Mqtt = 4,
    /// <summary>MQTT 3.1.1 over a secure WebSocket: <c>wss://{host}:443/$iothub/websocket</c>, sub-protocol <c>mqtt</c>.</summary>
    Mqtt_WebSocket_Only = 5,
    /// <summary>MQTT 3.1.1 over TLS on port 8883.</summary>
    Mqtt_Tcp_Only = 6,
}
