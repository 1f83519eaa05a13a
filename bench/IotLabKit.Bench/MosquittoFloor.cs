using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;

namespace IotLabKit.Bench;

/// <summary>
/// The floor for a direct-method round trip on this machine: a plain MQTT request/response through Debian's
/// mosquitto on loopback (TCP, no TLS, QoS 0) between two MQTTnet clients — a "service" publishing
/// <c>req/{n}</c> and a "device" answering on <c>res/{n}</c>. Nothing IoT-specific: just two hops through a broker.
/// Returns null, with the reason, when mosquitto is not installed.
/// </summary>
internal static class MosquittoFloor
{
    public static async Task<(RoundTripResult? Result, string? Skipped)> MeasureAsync(int calls, int warmup, int concurrency, TimeSpan limit)
    {
        var binary = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto" }.FirstOrDefault(File.Exists);
        if (binary is null) return (null, "mosquitto is not installed (Debian: apt-get install -y mosquitto)");
        var port = FreePort();
        var dir = DeviceSeed.NewDataDir("mosquitto");
        var config = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n");
        using var broker = Process.Start(new ProcessStartInfo(binary, ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            var factory = new MqttClientFactory();
            using var device = factory.CreateMqttClient();
            using var service = factory.CreateMqttClient();
            await ConnectWhenListeningAsync(device, port, "device", limit);
            await ConnectWhenListeningAsync(service, port, "service", limit);

            device.ApplicationMessageReceivedAsync += e =>
                device.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("res/" + e.ApplicationMessage.Topic[4..])
                    .WithPayload(e.ApplicationMessage.Payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build());
            await device.SubscribeAsync("req/#", MqttQualityOfServiceLevel.AtMostOnce);
            var waiting = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource>();
            service.ApplicationMessageReceivedAsync += e =>
            {
                if (waiting.TryRemove(e.ApplicationMessage.Topic[4..], out var done)) done.TrySetResult();
                return Task.CompletedTask;
            };
            await service.SubscribeAsync("res/#", MqttQualityOfServiceLevel.AtMostOnce);

            var next = 0;
            var payload = """{"n":1}"""u8.ToArray();
            async Task<double> CallAsync()
            {
                var id = Interlocked.Increment(ref next).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiting[id] = done;
                var started = Stopwatch.GetTimestamp();
                await service.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("req/" + id).WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build());
                await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            for (var i = 0; i < warmup; i++) await CallAsync();
            var latencies = new double[calls];
            var sequential = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++) latencies[i] = await CallAsync();
            sequential.Stop();
            var concurrent = Stopwatch.StartNew();
            var remaining = calls;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0) await CallAsync();
            }));
            concurrent.Stop();
            Array.Sort(latencies);
            return (new RoundTripResult("mosquitto: MQTT/TCP req -> resp", 1, calls, latencies,
                calls / sequential.Elapsed.TotalSeconds, calls / concurrent.Elapsed.TotalSeconds, concurrency), null);
        }
        finally
        {
            if (!broker.HasExited) broker.Kill();
            await broker.WaitForExitAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task ConnectWhenListeningAsync(IMqttClient client, int port, string id, TimeSpan limit)
    {
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).Build();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.ConnectAsync(options);
                return;
            }
            catch (Exception) when (deadline.Elapsed < limit)
            {
                // The broker is still starting: try again at once (connect refusals are immediate on loopback).
                await Task.Yield();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
