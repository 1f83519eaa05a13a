using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using IotLabKit.Device.Tests.FakeHub;
using IotLabKit.Protocol;

namespace IotLabKit.Device.Tests.EndToEnd;

/// <summary>Refused and failed connections, reconnection after a drop, and SAS renewal, over real TLS/MQTT.</summary>
public sealed class ConnectionTests
{
    private static DeviceClientOptions Options(FakeIotHub hub) => new()
    {
        CaCertificatePath = hub.CaPemPath,
        ReconnectMinBackoff = TimeSpan.FromMilliseconds(50),
        ReconnectMaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_wrong_key_is_refused_with_a_clear_error_and_status()
    {
        await using var hub = await FakeIotHub.StartAsync();
        var wrongKey = Convert.ToBase64String(new byte[32]);
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(wrongKey), TransportType.Mqtt, Options(hub));
        var status = new StatusRecorder(client);
        var ex = await Assert.ThrowsAsync<UnauthorizedException>(() => client.OpenAsync());
        Assert.Contains("the hub refused the device credentials", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(401, ex.StatusCode);
        await status.WaitForAsync(ConnectionStatus.Disconnected, ConnectionStatusChangeReason.Bad_Credential);
        Assert.Single(hub.Snapshot(h => h.Connects)); // no retry on refused credentials
    }

    [Fact]
    public async Task An_expired_fixed_token_is_refused_before_connecting()
    {
        await using var hub = await FakeIotHub.StartAsync();
        var token = SharedAccessSignature.Create($"{hub.HostName}/devices/{hub.DeviceId}", hub.DeviceKey, null, DateTimeOffset.UtcNow.AddMinutes(-1));
        var cs = $"HostName={hub.HostName};DeviceId={hub.DeviceId};SharedAccessSignature={token};UseDevelopmentEmulator=true";
        await using var client = DeviceClient.CreateFromConnectionString(cs, TransportType.Mqtt, Options(hub));
        var status = new StatusRecorder(client);
        var ex = await Assert.ThrowsAsync<UnauthorizedException>(() => client.GetTwinAsync());
        Assert.Contains("expired", ex.Message);
        await status.WaitForAsync(ConnectionStatus.Disconnected, ConnectionStatusChangeReason.Expired_SAS_Token);
        Assert.Empty(hub.Snapshot(h => h.Connects));
    }

    [Fact]
    public async Task A_valid_fixed_token_connects()
    {
        await using var hub = await FakeIotHub.StartAsync();
        var token = SharedAccessSignature.Create($"{hub.HostName}/devices/{hub.DeviceId}", hub.DeviceKey, null, DateTimeOffset.UtcNow.AddMinutes(10));
        var cs = $"HostName={hub.HostName};DeviceId={hub.DeviceId};SharedAccessSignature={token};UseDevelopmentEmulator=true";
        await using var client = DeviceClient.CreateFromConnectionString(cs, TransportType.Mqtt, Options(hub));
        await client.OpenAsync();
        Assert.Equal(token, hub.Snapshot(h => h.Connects.Single().Password));
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_not_trusted()
    {
        await using var hub = await FakeIotHub.StartAsync();
        using var other = TestCertificates.Create(Path.Combine(hub.Directory, "other"));
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = other.CaPemPath });
        var ex = await Assert.ThrowsAsync<IotHubException>(() => client.OpenAsync());
        Assert.Contains("TLS", ex.Message);
        Assert.False(ex.IsTransient);
        Assert.Empty(hub.Snapshot(h => h.Connects));
    }

    [Fact]
    public async Task Without_the_emulator_flag_the_system_trust_store_is_used_and_refuses_the_test_CA()
    {
        await using var hub = await FakeIotHub.StartAsync();
        var cs = hub.ConnectionString().Replace(";UseDevelopmentEmulator=true", "", StringComparison.Ordinal);
        await using var client = DeviceClient.CreateFromConnectionString(cs, TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = hub.CaPemPath });
        var ex = await Assert.ThrowsAsync<IotHubException>(() => client.OpenAsync());
        Assert.Contains("TLS", ex.Message);
    }

    [Fact]
    public async Task A_CA_file_that_holds_no_certificate_is_a_clear_error()
    {
        await using var hub = await FakeIotHub.StartAsync();
        var notPem = Path.Combine(hub.Directory, "not-a-ca.pem");
        await File.WriteAllTextAsync(notPem, "this is not a certificate");
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = notPem });
        var ex = await Assert.ThrowsAsync<IotHubException>(() => client.OpenAsync());
        Assert.Contains(notPem, ex.Message);
        Assert.Empty(hub.Snapshot(h => h.Connects));
    }

    [Fact]
    public async Task A_missing_CA_file_is_named_and_nothing_else_is_trusted_instead()
    {
        await using var hub = await FakeIotHub.StartAsync();
        var missing = Path.Combine(hub.Directory, "nope", "ca.pem");
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = missing });
        var ex = await Assert.ThrowsAsync<IotHubException>(() => client.OpenAsync());
        Assert.Contains(missing, ex.Message);
        Assert.IsType<FileNotFoundException>(ex.InnerException);
        Assert.Empty(hub.Snapshot(h => h.Connects));
    }

    [Fact]
    public async Task An_unreachable_hub_is_a_communication_error()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0)) { listener.Start(); port = ((IPEndPoint)listener.LocalEndpoint).Port; }
        var cs = $"HostName=127.0.0.1:{port};DeviceId=d1;SharedAccessKey={Convert.ToBase64String(new byte[32])}";
        await using var client = DeviceClient.CreateFromConnectionString(cs);
        var ex = await Assert.ThrowsAsync<IotHubCommunicationException>(() => client.OpenAsync());
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task After_a_drop_without_session_the_client_resubscribes_and_delivers_missed_desired_changes_once()
    {
        await using var hub = await FakeIotHub.StartAsync(persistentSessions: false);
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, Options(hub));
        var status = new StatusRecorder(client);
        var deliveries = new DeliveryRecorder();
        await client.GetTwinAsync(); // the app has seen desired $version 1
        await client.SetDesiredPropertyUpdateCallbackAsync(deliveries.OnDesired, null);
        await client.SetMethodHandlerAsync("ping", (_, _) => Task.FromResult(new MethodResponse(200)), null);
        var subscribesBefore = hub.Snapshot(h => h.Subscriptions.Count);

        await hub.DropDeviceAsync();
        await status.WaitForAsync(ConnectionStatus.Disconnected_Retrying, ConnectionStatusChangeReason.Communication_Error);
        await hub.UpdateDesiredAsync(new JsonObject { ["setpoint"] = 21 }); // while the device is away: lost on the wire
        await status.WaitForAsync(ConnectionStatus.Connected, ConnectionStatusChangeReason.Connection_Ok, after: ConnectionStatus.Disconnected_Retrying);

        // The server had no session: everything subscribed before is subscribed again.
        await hub.WaitUntilAsync(h => h.Subscriptions.Count >= subscribesBefore * 2, "the subscriptions sent again");
        var resent = hub.Snapshot(h => h.Subscriptions.Skip(subscribesBefore).ToHashSet());
        Assert.Contains("$iothub/twin/PATCH/properties/desired/#", resent);
        Assert.Contains("$iothub/methods/POST/#", resent);
        Assert.Contains("$iothub/twin/res/#", resent);

        // The missed change arrives once, as the full desired section.
        var full = await deliveries.NextAsync();
        Assert.Equal(2, full.Version);
        int setpoint = full["setpoint"];
        Assert.Equal(21, setpoint);

        // Later patches flow again, and methods work on the new connection.
        await hub.UpdateDesiredAsync(new JsonObject { ["setpoint"] = 22 });
        Assert.Equal(3, (await deliveries.NextAsync()).Version);
        Assert.Equal(200, (await hub.InvokeMethodAsync("ping", "null")).Status);
        Assert.Equal(2, deliveries.Count);
    }

    [Fact]
    public async Task After_a_drop_with_the_session_kept_nothing_is_resubscribed_and_nothing_is_redelivered()
    {
        await using var hub = await FakeIotHub.StartAsync(persistentSessions: true);
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, Options(hub));
        var status = new StatusRecorder(client);
        var deliveries = new DeliveryRecorder();
        await client.SetDesiredPropertyUpdateCallbackAsync(deliveries.OnDesired, null); // no GetTwin first: the client takes its own baseline
        await client.SetMethodHandlerAsync("ping", (_, _) => Task.FromResult(new MethodResponse(200)), null);
        var subscribesBefore = hub.Snapshot(h => h.Subscriptions.Count);
        var twinReadsBefore = hub.Snapshot(h => h.TwinRequests.Count);

        await hub.DropDeviceAsync();
        await status.WaitForAsync(ConnectionStatus.Connected, ConnectionStatusChangeReason.Connection_Ok, after: ConnectionStatus.Disconnected_Retrying);
        await hub.WaitUntilAsync(h => h.TwinRequests.Count > twinReadsBefore, "the twin read after reconnecting");
        Assert.Equal(200, (await hub.InvokeMethodAsync("ping", "null")).Status);
        Assert.Equal(subscribesBefore, hub.Snapshot(h => h.Subscriptions.Count));
        await hub.UpdateDesiredAsync(new JsonObject { ["x"] = 1 });
        Assert.Equal(2, (await deliveries.NextAsync()).Version);
        Assert.Equal(1, deliveries.Count); // the unchanged desired section (version 1) was not delivered after the reconnect
    }

    [Fact]
    public async Task A_twin_request_cut_by_a_drop_is_sent_again_after_the_reconnect()
    {
        await using var hub = await FakeIotHub.StartAsync();
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, Options(hub));
        await client.OpenAsync();
        var swallowFirst = 1;
        hub.TwinAnswerOverride = _ => Interlocked.Exchange(ref swallowFirst, 0) == 1 ? (200, null) : null; // the first GET gets no answer
        var get = client.GetTwinAsync();
        await hub.WaitUntilAsync(h => h.TwinRequests.Count == 1, "the first GET");
        await hub.DropDeviceAsync();
        var twin = await get.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, twin.Properties.Desired.Version);
        Assert.Equal(2, hub.Snapshot(h => h.TwinRequests.Count));
    }

    [Fact]
    public async Task Reconnecting_gives_up_after_the_configured_time_and_says_so()
    {
        var hub = await FakeIotHub.StartAsync();
        var options = Options(hub);
        options.ReconnectTimeout = TimeSpan.FromSeconds(1);
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, options);
        var status = new StatusRecorder(client);
        await client.OpenAsync();
        await hub.DisposeAsync(); // the hub goes away for good
        await status.WaitForAsync(ConnectionStatus.Disconnected, ConnectionStatusChangeReason.Retry_Expired);
        await Assert.ThrowsAsync<IotHubCommunicationException>(() => client.SendEventAsync(new Message("x")));
    }

    [Fact]
    public async Task The_SAS_token_is_renewed_by_reconnecting_before_it_expires()
    {
        await using var hub = await FakeIotHub.StartAsync();
        var options = Options(hub);
        options.SasTokenTimeToLive = TimeSpan.FromSeconds(4); // renewed after 3 s
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt, options);
        await client.OpenAsync();
        await hub.WaitUntilAsync(h => h.Connects.Count >= 2, "a second CONNECT with a new token");
        var (first, second) = hub.Snapshot(h => (h.Connects[0].Password, h.Connects[1].Password));
        Assert.NotEqual(first, second);
        SharedAccessSignature.TryParse(second, out var renewed, out _);
        Assert.True(renewed!.IsSignedWith(hub.DeviceKey));
        var twin = await client.GetTwinAsync();
        Assert.Equal(1, twin.Properties.Desired.Version);
        Assert.Equal(ConnectionStatus.Connected, client.ConnectionStatus);
    }

    [Fact]
    public async Task Mqtt_over_a_secure_WebSocket_reaches_the_iothub_websocket_path()
    {
        await using var hub = await FakeIotHub.StartAsync(webSocket: true);
        await using var client = DeviceClient.CreateFromConnectionString(hub.ConnectionString(), TransportType.Mqtt_WebSocket_Only, Options(hub));
        await client.SetMethodHandlerAsync("ping", (_, _) => Task.FromResult(new MethodResponse(System.Text.Encoding.UTF8.GetBytes("\"pong\""), 200)), null);
        var twin = await client.GetTwinAsync();
        Assert.Equal(1, twin.Properties.Desired.Version);
        Assert.Equal((200, "\"pong\""), await hub.InvokeMethodAsync("ping", "null"));
        await client.SendEventAsync(new Message("over ws"));
        Assert.Equal("mqtt", hub.Snapshot(h => h.WebSocketSubProtocols.Single()));
        Assert.StartsWith($"{hub.HostName}/{hub.DeviceId}/?api-version=", hub.Snapshot(h => h.Connects.Single().UserName));
        Assert.Single(hub.Snapshot(h => h.Telemetry));
    }

    /// <summary>Records status changes and lets a test wait for one.</summary>
    private sealed class StatusRecorder
    {
        private readonly List<(ConnectionStatus Status, ConnectionStatusChangeReason Reason)> _seen = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StatusRecorder(DeviceClient client) => client.SetConnectionStatusChangesHandler((s, r) =>
        {
            lock (_seen) _seen.Add((s, r));
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        });

        public async Task WaitForAsync(ConnectionStatus status, ConnectionStatusChangeReason reason, ConnectionStatus? after = null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (true)
            {
                var next = Volatile.Read(ref _changed).Task;
                lock (_seen)
                {
                    var start = after is { } a ? _seen.FindIndex(x => x.Status == a) : 0;
                    if (start >= 0 && _seen.Skip(start).Any(x => x.Status == status && x.Reason == reason)) return;
                }
                try { await next.WaitAsync(cts.Token); }
                catch (OperationCanceledException)
                {
                    lock (_seen) throw new TimeoutException($"Never saw {status}/{reason}; saw {string.Join(", ", _seen)}.");
                }
            }
        }
    }

    /// <summary>Collects desired-property deliveries in order.</summary>
    private sealed class DeliveryRecorder
    {
        private readonly System.Threading.Channels.Channel<TwinCollection> _deliveries = System.Threading.Channels.Channel.CreateUnbounded<TwinCollection>();
        private int _count;
        public int Count => Volatile.Read(ref _count);

        public Task OnDesired(TwinCollection patch, object? context)
        {
            Interlocked.Increment(ref _count);
            _deliveries.Writer.TryWrite(patch);
            return Task.CompletedTask;
        }

        public async Task<TwinCollection> NextAsync() => await _deliveries.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
    }
}
