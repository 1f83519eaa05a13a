using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MQTTnet.AspNetCore;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// How device connections reach <see cref="MqttDeviceEndpoint"/> through Kestrel (which does the TLS, with the
/// same certificate as HTTPS): every connection on the MQTT port; on the HTTPS port those that open with an MQTT
/// CONNECT, so a device connection string whose <c>HostName</c> carries the HTTPS port (as the emulator's do when
/// it is not on 443) works for MQTT too; and MQTT over WebSocket at <c>/$iothub/websocket</c> (which
/// <see cref="Hosting.WebSocketRouting"/> shares with AMQP by sub-protocol).
/// </summary>
public static class MqttConnectionRouting
{
    /// <summary>IoT Hub's WebSocket path for MQTT (and AMQP).</summary>
    public const string WebSocketPath = "/$iothub/websocket";

    // The first byte of every MQTT connection: CONNECT's fixed header. No HTTP request can start with it.
    private const byte MqttConnectFirstByte = 0x10;
    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Hands every (decrypted) connection on this listener to MQTT.</summary>
    public static void UseMqtt(this ListenOptions listen, MqttConnectionHandler mqtt)
        => listen.Use(_ => connection => mqtt.OnConnectedAsync(connection));

    /// <summary>Hands connections that start with an MQTT CONNECT to MQTT and the rest to HTTP.</summary>
    public static void UseMqttOrHttp(this ListenOptions listen, MqttConnectionHandler mqtt)
        => listen.Use(next => async connection =>
        {
            var input = connection.Transport.Input;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
            timeout.CancelAfter(FirstByteTimeout);
            System.IO.Pipelines.ReadResult read;
            try { read = await input.ReadAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { connection.Abort(); return; }
            if (read.Buffer.IsEmpty)
            {
                input.AdvanceTo(read.Buffer.Start);
                await next(connection).ConfigureAwait(false);
                return;
            }
            var first = read.Buffer.FirstSpan[0];
            // Nothing consumed or examined: the next reader sees the same bytes.
            input.AdvanceTo(read.Buffer.Start);
            if (first == MqttConnectFirstByte) await mqtt.OnConnectedAsync(connection).ConfigureAwait(false);
            else await next(connection).ConfigureAwait(false);
        });

    /// <summary>Accepts MQTT over WebSocket (sub-protocol <c>mqtt</c>) on a request to <see cref="WebSocketPath"/>.</summary>
    public static async Task AcceptMqttWebSocketAsync(HttpContext context, MqttWebSocketServerAdapter adapter)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync(MqttSubProtocolSelector.SelectSubProtocol(context.Request)).ConfigureAwait(false);
        await adapter.RunWebSocketConnectionAsync(socket, context).ConfigureAwait(false);
    }
}
