extern alias DeviceSdk;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Amqp;
using Amqp.Framing;
using Amqp.Sasl;
using IotLabKit.IntegrationTests.Devices;
using IotLabKit.Protocol;

namespace IotLabKit.IntegrationTests.Amqp;

/// <summary>
/// AMQP over WebSocket on the emulator's HTTPS port (<c>wss://…/$iothub/websocket</c>, sub-protocol
/// <c>AMQPWSB10</c>), driven by AMQPNetLite's WebSocket client transport over a real TLS WebSocket: CBS put-token,
/// a cloud-to-device send that reaches an MQTT device, feedback on the same connection, and refusals.
/// </summary>
public sealed class AmqpWebSocketTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private async Task<Connection> ConnectAsync(string path = "/$iothub/websocket", string subProtocol = "AMQPWSB10")
    {
        var roots = EmulatorTrust.LoadCa(hub.CaPath);
        var webSockets = new WebSocketTransportFactory(subProtocol)
        {
            Options = o => o.RemoteCertificateValidationCallback = (_, certificate, _, errors) => EmulatorTrust.Validate(certificate, errors, roots),
        };
        var factory = new ConnectionFactory([webSockets]);
        factory.SASL.Profile = SaslProfile.Anonymous;
        return await factory.CreateAsync(new Address("localhost", hub.Emulator.Status.HttpsPort, null, null, path, "wss")).WaitAsync(Wait);
    }

    /// <summary>CBS put-token as IoT Hub's SDKs send it; returns the reply's status code.</summary>
    private static async Task<int> PutTokenAsync(Session session, string token, string audience)
    {
        var replyTo = "cbs-" + Guid.NewGuid().ToString("N");
        var sender = new SenderLink(session, replyTo + "-sender", "$cbs");
        var receiver = new ReceiverLink(session, replyTo + "-receiver", new Attach { Source = new Source { Address = "$cbs" }, Target = new Target { Address = replyTo } }, null);
        try
        {
            await sender.SendAsync(new Message(token)
            {
                Properties = new Properties { MessageId = Guid.NewGuid().ToString(), ReplyTo = replyTo },
                ApplicationProperties = new ApplicationProperties
                {
                    ["operation"] = "put-token",
                    ["type"] = "servicebus.windows.net:sastoken",
                    ["name"] = audience,
                },
            }).WaitAsync(Wait);
            var reply = await receiver.ReceiveAsync(Wait) ?? throw new TimeoutException("No reply to put-token.");
            receiver.Accept(reply);
            return Convert.ToInt32(reply.ApplicationProperties["status-code"], System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            await sender.CloseAsync();
            await receiver.CloseAsync();
        }
    }

    private string ServiceToken(string? key = null)
        => SharedAccessSignature.Create(hub.Emulator.HostNameWithPort, key ?? hub.Emulator.Status.Policies["service"], "service", DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public async Task A_cloud_to_device_message_sent_over_the_websocket_reaches_the_mqtt_device_and_positive_feedback_comes_back()
    {
        var (id, key) = await hub.CreateDeviceAsync("amqpws");
        var connection = await ConnectAsync();
        try
        {
            var session = new Session(connection);
            Assert.Equal(200, await PutTokenAsync(session, ServiceToken(), hub.Emulator.HostNameWithPort));

            var messageId = "ws-" + Guid.NewGuid().ToString("N");
            var sender = new SenderLink(session, "c2d-sender", "/messages/devicebound");
            await sender.SendAsync(new Message { BodySection = new Data { Binary = Encoding.UTF8.GetBytes("""{"over":"websocket"}""") },
                Properties = new Properties { MessageId = messageId, To = $"/devices/{id}/messages/devicebound" },
                ApplicationProperties = new ApplicationProperties { ["iothub-ack"] = "positive", ["room"] = "lab 2" } }).WaitAsync(Wait);

            await using (var device = hub.NewClient(id, key))
            {
                var received = await device.ReceiveAsync(Wait);
                Assert.NotNull(received);
                Assert.Equal("""{"over":"websocket"}""", Encoding.UTF8.GetString(received.GetBytes()));
                Assert.Equal(messageId, received.MessageId);
                Assert.Equal("lab 2", received.Properties["room"]);
                await device.CompleteAsync(received);
            }

            var feedback = new ReceiverLink(session, "feedback", "/messages/serviceBound/feedback");
            using var cts = new CancellationTokenSource(Wait);
            JsonObject? record = null;
            while (record is null)
            {
                cts.Token.ThrowIfCancellationRequested();
                var batch = await feedback.ReceiveAsync(Wait) ?? throw new TimeoutException("No feedback over the WebSocket.");
                feedback.Accept(batch);
                record = JsonNode.Parse(Encoding.UTF8.GetString(batch.GetBody<byte[]>()))!.AsArray()
                    .OfType<JsonObject>().FirstOrDefault(r => (string?)r["originalMessageId"] == messageId);
            }
            Assert.Equal("Success", (string?)record["statusCode"]);
            Assert.Equal(id, (string?)record["deviceId"]);
        }
        finally { await connection.CloseAsync(); }
    }

    [Fact]
    public async Task A_wrong_key_is_refused_at_put_token_and_links_without_a_token_are_refused_over_the_websocket()
    {
        var connection = await ConnectAsync();
        try
        {
            var session = new Session(connection);
            var wrongKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
            Assert.Equal(401, await PutTokenAsync(session, ServiceToken(wrongKey), hub.Emulator.HostNameWithPort));

            var (id, _) = await hub.CreateDeviceAsync("amqpws");
            var sender = new SenderLink(session, "c2d-unauthorized", "/messages/devicebound");
            var refused = await Assert.ThrowsAsync<AmqpException>(() => sender.SendAsync(new Message("nope")
            {
                Properties = new Properties { To = $"/devices/{id}/messages/devicebound" },
            }).WaitAsync(Wait));
            Assert.Equal("amqp:unauthorized-access", refused.Error.Condition.ToString());
            Assert.Equal(0, (int)(await hub.GetJsonAsync($"/devices/{id}"))["cloudToDeviceMessageCount"]!);
        }
        finally { await connection.CloseAsync(); }
    }

    [Fact]
    public async Task The_service_bus_websocket_path_serves_the_same_amqp_endpoint()
    {
        var connection = await ConnectAsync("/$servicebus/websocket");
        try
        {
            Assert.Equal(200, await PutTokenAsync(new Session(connection), ServiceToken(), hub.Emulator.HostNameWithPort));
        }
        finally { await connection.CloseAsync(); }
    }

    [Fact]
    public async Task A_plain_request_to_the_websocket_paths_gets_the_hubs_400_and_mqtt_is_still_chosen_for_its_sub_protocol()
    {
        foreach (var path in new[] { "/$iothub/websocket", "/$servicebus/websocket" })
        {
            using var response = await hub.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("GenericBadRequest", response.Headers.GetValues("iothub-errorcode").Single());
        }

        // The MQTT side of the shared path: the server picks 'mqtt', not AMQP's sub-protocol.
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        var roots = EmulatorTrust.LoadCa(hub.CaPath);
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => EmulatorTrust.Validate(certificate, errors, roots);
        await socket.ConnectAsync(new Uri($"wss://localhost:{hub.Emulator.Status.HttpsPort}/$iothub/websocket"), new CancellationTokenSource(Wait).Token);
        Assert.Equal("mqtt", socket.SubProtocol);
        socket.Abort();
    }
}
