extern alias DeviceSdk;
using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Messaging.EventHubs.Consumer;
using IotLabKit.Testing;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.Bench;

/// <summary>Telemetry figures: ingest throughput, per-send PUBACK latency, and end-to-end latency to an Event Hubs reader.</summary>
internal sealed record TelemetryResult(int Messages, TimeSpan IngestTime, double[] SendMs, double[] EndToEndMs)
{
    public double SendPercentile(double p) => Percentile(SendMs, p);
    public double EndToEndPercentile(double p) => Percentile(EndToEndMs, p);
    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// Devices seeded straight into the store and connected (our DeviceClient over MQTT/TLS) before timing starts. Ingest:
/// every device sends its messages one after another (each awaits the PUBACK), all devices at once. End to end: one
/// EventHubConsumerClient reads every partition from latest; single messages are sent one at a time and timed from
/// before SendEventAsync to the reader seeing them (the reader is attached first by sending until it sees one).
/// </summary>
internal static class TelemetryThroughput
{
    public static async Task<TelemetryResult> MeasureAsync(int devices, int perDevice, int latencySamples, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var dataDir = DeviceSeed.NewDataDir("telemetry");
        var keys = DeviceSeed.Create(dataDir, devices, "tel");
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { DataDir = dataDir, StartTimeout = limit });
        var clients = new List<DeviceClient>();
        try
        {
            foreach (var (id, key) in keys)
            {
                var client = DeviceClient.CreateFromConnectionString(emulator.DeviceConnectionString(id, key, viaMqttPort: true),
                    TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
                await client.OpenAsync(timeout.Token);
                clients.Add(client);
            }

            var sendMs = new ConcurrentBag<double>();
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(clients.Select(async client =>
            {
                for (var i = 0; i < perDevice; i++)
                {
                    using var message = new Message("""{"temperature":21.5,"humidity":40}"""u8.ToArray());
                    message.Properties["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var t = Stopwatch.GetTimestamp();
                    await client.SendEventAsync(message, timeout.Token);
                    sendMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
            }));
            var ingest = Stopwatch.GetElapsedTime(started);

            var endToEnd = await MeasureEndToEndAsync(emulator, clients[0], latencySamples, timeout.Token);
            return new TelemetryResult(devices * perDevice, ingest, [.. sendMs.Order()], [.. endToEnd.Order()]);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    private static async Task<List<double>> MeasureEndToEndAsync(EmulatorProcess emulator, DeviceClient device, int samples, CancellationToken ct)
    {
        await using var consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, emulator.Status.EventHubConnectionString);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var arrivals = System.Threading.Channels.Channel.CreateUnbounded<(string Tag, long At)>();
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in consumer.ReadEventsAsync(startReadingAtEarliestEvent: false, cancellationToken: stop.Token))
                {
                    if (e.Data.Properties.TryGetValue("tag", out var tag))
                        arrivals.Writer.TryWrite(((string)tag, Stopwatch.GetTimestamp()));
                }
            }
            catch (OperationCanceledException) { }
        }, CancellationToken.None);

        // Attach: send warm-up messages until the reader sees one.
        for (var i = 0; ; i++)
        {
            await SendTaggedAsync(device, $"warm-{i}", ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromMilliseconds(500));
            try { await arrivals.Reader.ReadAsync(wait.Token); break; }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        }
        while (arrivals.Reader.TryRead(out _)) { }

        var latencies = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var tag = $"s-{i}";
            var sent = Stopwatch.GetTimestamp();
            await SendTaggedAsync(device, tag, ct);
            while (true)
            {
                var (seen, at) = await arrivals.Reader.ReadAsync(ct);
                if (seen != tag) continue;
                latencies.Add(Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds);
                break;
            }
        }
        await stop.CancelAsync();
        await reading;
        return latencies;
    }

    private static async Task SendTaggedAsync(DeviceClient device, string tag, CancellationToken ct)
    {
        using var message = new Message("""{"probe":true}"""u8.ToArray());
        message.Properties["tag"] = tag;
        await device.SendEventAsync(message, ct);
    }
}
