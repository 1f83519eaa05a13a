using System.Net.WebSockets;
using IotLabKit.Emulator.Core;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Http;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// AMQP over WebSocket on the HTTPS port (sub-protocol <c>AMQPWSB10</c>, as IoT Hub's and Event Hubs' clients ask):
/// the WebSocket's binary messages are read and written as one byte stream (frames may span messages) and handed to
/// the same <see cref="AmqpConnectionRelay"/> as AMQPS, so CBS, cloud-to-device links and the Event Hubs-compatible
/// partition readers behave exactly as on port 5671.
/// </summary>
public sealed class AmqpWebSocketGateway
{
    /// <summary>The WebSocket sub-protocol of AMQP 1.0 (OASIS AMQP WebSocket Binding).</summary>
    public const string SubProtocol = "AMQPWSB10";

    private volatile AmqpConnectionRelay? _relay;

    /// <summary>True when the WebSocket request offers AMQP's sub-protocol.</summary>
    public static bool IsAmqpRequest(HttpContext context)
        => context.WebSockets.WebSocketRequestedProtocols.Any(p => string.Equals(p, SubProtocol, StringComparison.OrdinalIgnoreCase));

    // The AMQP listeners open after Kestrel (they need the started host's services); until then, and after they
    // close, WebSocket clients are told the service is unavailable rather than left hanging.
    internal void Attach(AmqpConnectionRelay? relay) => _relay = relay;

    /// <summary>Accepts the WebSocket and relays AMQP over it until either side closes.</summary>
    public async Task AcceptAsync(HttpContext context)
    {
        var relay = _relay ?? throw new HubException(IotHubErrorCode.ServiceUnavailable, "The AMQP endpoint is not open yet; retry shortly.");
        using var socket = await context.WebSockets.AcceptWebSocketAsync(SubProtocol).ConfigureAwait(false);
        var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false);
        await relay.RelayAsync(stream, "WebSocket",
            () => socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted), context.RequestAborted).ConfigureAwait(false);
        // The client closed first: answer its close frame so its close completes cleanly.
        if (socket.State == WebSocketState.CloseReceived)
        {
            try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted).ConfigureAwait(false); }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }
}
