using IotLabKit.Emulator.Amqp;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Mqtt;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MQTTnet.AspNetCore;

namespace IotLabKit.Emulator.Hosting;

/// <summary>
/// The WebSocket endpoints of the HTTPS port. IoT Hub serves MQTT and AMQP on the same path,
/// <c>/$iothub/websocket</c>, told apart by the sub-protocol the client asks for (<c>AMQPWSB10</c> → AMQP, else
/// MQTT); Event Hubs clients dial AMQP at <c>/$servicebus/websocket</c>.
/// </summary>
public static class WebSocketRouting
{
    /// <summary>Event Hubs' (and Service Bus') WebSocket path for AMQP.</summary>
    public const string ServiceBusWebSocketPath = "/$servicebus/websocket";

    /// <summary>Maps both paths.</summary>
    public static void MapIotHubWebSockets(this IEndpointRouteBuilder routes)
    {
        routes.Map(MqttConnectionRouting.WebSocketPath, (HttpContext context, MqttWebSocketServerAdapter mqtt, AmqpWebSocketGateway amqp) =>
        {
            RequireWebSocket(context, "'mqtt' or 'AMQPWSB10'");
            return AmqpWebSocketGateway.IsAmqpRequest(context) ? amqp.AcceptAsync(context) : MqttConnectionRouting.AcceptMqttWebSocketAsync(context, mqtt);
        });
        routes.Map(ServiceBusWebSocketPath, (HttpContext context, AmqpWebSocketGateway amqp) =>
        {
            RequireWebSocket(context, "'AMQPWSB10'");
            if (!AmqpWebSocketGateway.IsAmqpRequest(context))
                throw new HubException(IotHubErrorCode.GenericBadRequest, $"{ServiceBusWebSocketPath} accepts WebSocket connections with sub-protocol 'AMQPWSB10' only.");
            return amqp.AcceptAsync(context);
        });
    }

    private static void RequireWebSocket(HttpContext context, string subProtocols)
    {
        if (!context.WebSockets.IsWebSocketRequest)
            throw new HubException(IotHubErrorCode.GenericBadRequest,
                $"{context.Request.Path} accepts WebSocket connections (sub-protocol {subProtocols}) only.");
    }
}
