using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Device.Mqtt;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.AspNetCore;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IotLabKit.Device.Tests.FakeHub;

/// <summary>
/// A small stand-in for IoT Hub's MQTT endpoint, built on MQTTnet's server over real TLS: it checks CONNECT the way
/// the hub does (client id, user name, device SAS), answers twin GET and reported PATCH, sends desired patches,
/// direct-method requests and cloud-to-device messages, and records telemetry. It keeps only what the tests need.
/// MQTT over TLS by default; with <c>webSocket: true</c> MQTT over a secure WebSocket at <c>/$iothub/websocket</c> (Kestrel).
/// </summary>
internal sealed class FakeIotHub : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly TestCertificates _certificates;
    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(int Status, byte[] Body)>> _methodCalls = new();
    private readonly Signal _changed = new();
    private int _nextMethodRid;
    private readonly JsonObject _desired = new() { ["$version"] = 1L };
    private readonly JsonObject _reported = new() { ["$version"] = 1L };

    private readonly WebApplication? _web;

    private FakeIotHub(bool persistentSessions, bool webSocket)
    {
        _directory = Path.Combine(Path.GetTempPath(), "iotlabkit-device-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(_directory);
        _certificates = TestCertificates.Shared;
        Port = FreePort();
        if (webSocket)
        {
            var adapter = new MqttWebSocketServerAdapter();
            var wsOptions = new MqttServerOptionsBuilder().WithoutDefaultEndpoint().WithPersistentSessions(persistentSessions).Build();
            _server = new MqttServerFactory().CreateMqttServer(wsOptions, [adapter]);
            _web = WebSocketHost(adapter);
        }
        else
        {
            var options = new MqttServerOptionsBuilder()
                .WithoutDefaultEndpoint()
                .WithEncryptedEndpoint()
                .WithEncryptedEndpointPort(Port)
                .WithEncryptedEndpointBoundIPAddress(IPAddress.Loopback)
                .WithEncryptedEndpointBoundIPV6Address(IPAddress.IPv6Loopback)
                .WithEncryptionCertificate(_certificates.Server)
                .WithPersistentSessions(persistentSessions)
                .Build();
            _server = new MqttServerFactory().CreateMqttServer(options);
        }
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.ClientConnectedAsync += e => { Note(() => ConnectedClients++); return Task.CompletedTask; };
        _server.ClientDisconnectedAsync += e => { Note(() => { ConnectedClients--; Disconnects++; }); return Task.CompletedTask; };
        _server.ClientSubscribedTopicAsync += e => { Note(() => Subscriptions.Add(e.TopicFilter.Topic)); return Task.CompletedTask; };
        _server.ClientAcknowledgedPublishPacketAsync += e => { Note(() => AcknowledgedTopics.Add(e.PublishPacket.Topic)); return Task.CompletedTask; };
        _server.InterceptingPublishAsync += InterceptPublishAsync;
    }

    public static async Task<FakeIotHub> StartAsync(bool persistentSessions = true, bool webSocket = false)
    {
        var hub = new FakeIotHub(persistentSessions, webSocket);
        await hub._server.StartAsync();
        if (hub._web is not null) await hub._web.StartAsync();
        return hub;
    }

    private WebApplication WebSocketHost(MqttWebSocketServerAdapter adapter)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, Port, l => l.UseHttps(_certificates.Server));
            k.Listen(IPAddress.IPv6Loopback, Port, l => l.UseHttps(_certificates.Server));
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/$iothub/websocket", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest) { context.Response.StatusCode = 400; return; }
            Note(() => WebSocketSubProtocols.Add(string.Join(",", context.WebSockets.WebSocketRequestedProtocols)));
            using var socket = await context.WebSockets.AcceptWebSocketAsync(MqttSubProtocolSelector.SelectSubProtocol(context.Request));
            await adapter.RunWebSocketConnectionAsync(socket, context);
        });
        return app;
    }

    public int Port { get; private set; }
    public string HostName => $"localhost:{Port}";
    public string DeviceId { get; } = "device-1";
    public string DeviceKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public string CaPemPath => _certificates.CaPemPath;
    public string Directory => _directory;

    public string ConnectionString(string? key = null) =>
        $"HostName={HostName};DeviceId={DeviceId};SharedAccessKey={key ?? DeviceKey};UseDevelopmentEmulator=true";

    // What the hub saw. Read under the lock through Snapshot() or WaitUntilAsync().
    public List<ConnectRecord> Connects { get; } = [];
    public List<string> Subscriptions { get; } = [];
    public List<string> AcknowledgedTopics { get; } = [];
    public List<(string Topic, byte[] Body, MqttQualityOfServiceLevel Qos)> Telemetry { get; } = [];
    public List<string> TwinRequests { get; } = [];
    public List<string> WebSocketSubProtocols { get; } = [];
    public int ConnectedClients { get; private set; }
    public int Disconnects { get; private set; }

    /// <summary>When set, twin requests get this status and body instead of the real answer; null body means no answer.</summary>
    public Func<string, (int Status, string? Body)?>? TwinAnswerOverride { get; set; }

    public long DesiredVersion { get { lock (_lock) return _desired["$version"]!.GetValue<long>(); } }
    public JsonObject Reported { get { lock (_lock) return (JsonObject)_reported.DeepClone(); } }

    public T Snapshot<T>(Func<FakeIotHub, T> read)
    {
        lock (_lock) return read(this);
    }

    /// <summary>Waits until <paramref name="condition"/> (read under the hub's lock) holds, woken by every change the hub sees.</summary>
    public async Task WaitUntilAsync(Func<FakeIotHub, bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = _changed.Next;
            if (Snapshot(condition)) return;
            try { await next.WaitAsync(cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"The fake hub never saw: {what}."); }
        }
    }

    /// <summary>Changes desired properties as the back end would; notifies the device only if it is connected (IoT Hub does not queue them).</summary>
    public async Task UpdateDesiredAsync(JsonObject patch)
    {
        JsonObject notification;
        bool online;
        lock (_lock)
        {
            Merge(_desired, patch);
            var version = _desired["$version"]!.GetValue<long>() + 1;
            _desired["$version"] = version;
            notification = (JsonObject)patch.DeepClone();
            notification["$version"] = version;
            online = ConnectedClients > 0;
        }
        if (online)
            await InjectAsync($"$iothub/twin/PATCH/properties/desired/?$version={notification["$version"]}", Encoding.UTF8.GetBytes(notification.ToJsonString()), MqttQualityOfServiceLevel.AtMostOnce);
    }

    /// <summary>Calls a direct method and waits for the device's answer on <c>$iothub/methods/res/{status}/?$rid=</c>.</summary>
    public async Task<(int Status, string? Payload)> InvokeMethodAsync(string name, string? payloadJson, TimeSpan? timeout = null)
    {
        var rid = Interlocked.Increment(ref _nextMethodRid).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<(int, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        _methodCalls[rid] = answer;
        await InjectAsync($"$iothub/methods/POST/{name}/?$rid={rid}", payloadJson is null ? [] : Encoding.UTF8.GetBytes(payloadJson), MqttQualityOfServiceLevel.AtMostOnce);
        var (status, body) = await answer.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        return (status, body.Length == 0 ? null : Encoding.UTF8.GetString(body));
    }

    /// <summary>Sends a cloud-to-device message at QoS 1 with an already-encoded property bag.</summary>
    public Task SendCloudToDeviceAsync(string body, string propertyBag) =>
        InjectAsync($"devices/{DeviceId}/messages/devicebound/{propertyBag}", Encoding.UTF8.GetBytes(body), MqttQualityOfServiceLevel.AtLeastOnce);

    /// <summary>Drops the device's connection from the hub's side, as a network failure would.</summary>
    public Task DropDeviceAsync() => _server.DisconnectClientAsync(DeviceId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.UnspecifiedError });

    public Task StopAsync() => _server.StopAsync();

    public async ValueTask DisposeAsync()
    {
        try { await _server.StopAsync(); } catch (Exception) { /* already stopped */ }
        if (_web is not null) await _web.DisposeAsync();
        _server.Dispose();
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var record = new ConnectRecord(e.ClientId, e.UserName, e.Password, e.CleanSession, e.KeepAlivePeriod, e.ProtocolVersion);
        Note(() => Connects.Add(record));
        if (e.ClientId != DeviceId) { e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid; return Task.CompletedTask; }
        if (e.UserName is null || !e.UserName.StartsWith($"{HostName}/{DeviceId}/?api-version=", StringComparison.Ordinal))
        { e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword; return Task.CompletedTask; }
        if (!SharedAccessSignature.TryParse(e.Password, out var sas, out _)
            || !sas!.IsSignedWith(DeviceKey)
            || !sas.Covers($"{HostName}/devices/{DeviceId}")
            || sas.IsExpired(DateTimeOffset.UtcNow))
        { e.ReasonCode = MqttConnectReasonCode.NotAuthorized; return Task.CompletedTask; }
        e.ReasonCode = MqttConnectReasonCode.Success;
        return Task.CompletedTask;
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId != DeviceId) return Task.CompletedTask; // the hub's own injected messages
        e.ProcessPublish = false; // the hub consumes device publishes; it never routes them to other clients
        var topic = e.ApplicationMessage.Topic;
        var body = e.ApplicationMessage.Payload.ToArray();
        if (topic.StartsWith("$iothub/twin/", StringComparison.Ordinal)) _ = Task.Run(() => AnswerTwinAsync(topic, body));
        else if (HubTopicsForTests.TryParseMethodResponse(topic, out var status, out var rid))
        {
            if (_methodCalls.TryRemove(rid, out var waiting)) waiting.TrySetResult((status, body));
        }
        else if (topic.StartsWith($"devices/{DeviceId}/messages/events/", StringComparison.Ordinal))
            Note(() => Telemetry.Add((topic, body, e.ApplicationMessage.QualityOfServiceLevel)));
        return Task.CompletedTask;
    }

    private async Task AnswerTwinAsync(string topic, byte[] body)
    {
        Note(() => TwinRequests.Add(topic));
        var query = topic[(topic.IndexOf('?') + 1)..];
        var rid = query.Split('&').First(p => p.StartsWith("$rid=", StringComparison.Ordinal))["$rid=".Length..];
        if (TwinAnswerOverride?.Invoke(topic) is { } forced)
        {
            if (forced.Body is not null)
                await InjectAsync($"$iothub/twin/res/{forced.Status}/?$rid={rid}", Encoding.UTF8.GetBytes(forced.Body), MqttQualityOfServiceLevel.AtMostOnce);
            return;
        }
        if (topic.StartsWith("$iothub/twin/GET/", StringComparison.Ordinal))
        {
            string twin;
            lock (_lock) twin = new JsonObject { ["desired"] = _desired.DeepClone(), ["reported"] = _reported.DeepClone() }.ToJsonString();
            await InjectAsync($"$iothub/twin/res/200/?$rid={rid}", Encoding.UTF8.GetBytes(twin), MqttQualityOfServiceLevel.AtMostOnce);
        }
        else if (topic.StartsWith("$iothub/twin/PATCH/properties/reported/", StringComparison.Ordinal))
        {
            if (JsonNode.Parse(body) is not JsonObject patch)
            {
                await InjectAsync($"$iothub/twin/res/400/?$rid={rid}", Encoding.UTF8.GetBytes("{\"errorCode\":400004,\"message\":\"not an object\"}"), MqttQualityOfServiceLevel.AtMostOnce);
                return;
            }
            long version;
            lock (_lock)
            {
                Merge(_reported, patch);
                version = _reported["$version"]!.GetValue<long>() + 1;
                _reported["$version"] = version;
            }
            _changed.Pulse();
            await InjectAsync($"$iothub/twin/res/204/?$rid={rid}&$version={version}", [], MqttQualityOfServiceLevel.AtMostOnce);
        }
    }

    private Task InjectAsync(string topic, byte[] payload, MqttQualityOfServiceLevel qos)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();
        return _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "$hub" });
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith('$')) continue;
            if (value is null) target.Remove(key);
            else if (value is JsonObject child && target[key] is JsonObject existing) Merge(existing, child);
            else target[key] = value.DeepClone();
        }
    }

    private void Note(Action change)
    {
        lock (_lock) change();
        _changed.Pulse();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A task that completes at the next change, then is replaced.</summary>
    private sealed class Signal
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Next => Volatile.Read(ref _next).Task;
        public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}

internal sealed record ConnectRecord(string ClientId, string UserName, string Password, bool? CleanSession, ushort? KeepAliveSeconds, MQTTnet.Formatter.MqttProtocolVersion Protocol);

/// <summary>The hub's side of a method response topic, which the client library only builds.</summary>
internal static class HubTopicsForTests
{
    public static bool TryParseMethodResponse(string topic, out int status, out string rid)
    {
        status = 0; rid = "";
        const string prefix = "$iothub/methods/res/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = topic[prefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !int.TryParse(rest[..slash], out status)) return false;
        var tail = rest[(slash + 1)..];
        if (!tail.StartsWith("?$rid=", StringComparison.Ordinal)) return false;
        rid = tail["?$rid=".Length..];
        return true;
    }
}
