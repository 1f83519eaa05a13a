using System.Globalization;
using System.Runtime.InteropServices;
using IotLabKit.Bench;

// Prints figures only; nothing here passes or fails.
BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchSettings.Usage);
    return 2;
}

var inv = CultureInfo.InvariantCulture;
#if DEBUG
const string configuration = "Debug (use -c Release for real figures)";
#else
const string configuration = "Release";
#endif
Console.WriteLine($"IotLabKit emulator benchmark — {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, {configuration}");
Console.WriteLine($"Requests per row: {settings.Requests} (after {settings.Warmup} warm-up per client); clients: {string.Join(", ", settings.Clients)}");
Console.WriteLine();

if (settings.Scenarios.Contains("coldstart"))
{
    Console.WriteLine("Cold start: process launch -> first GET /health 200");
    Console.WriteLine($"{"storage",-8} {"first start (new data dir)",28} {"restart median",16} {"restart min",13} {"restart max",13}");
    foreach (var storage in settings.Storages)
    {
        var r = await ColdStart.MeasureAsync(storage, settings.Restarts, settings.ScenarioLimit);
        var sorted = r.Restarts.Order().ToArray();
        string Ms(TimeSpan? t) => t is { } v ? v.TotalMilliseconds.ToString("0", inv) + " ms" : "-";
        Console.WriteLine($"{storage,-8} {Ms(r.FirstStart),28} {Ms(sorted.Length > 0 ? sorted[sorted.Length / 2] : null),16} {Ms(sorted.FirstOrDefault()),13} {Ms(sorted.Length > 0 ? sorted[^1] : null),13}");
    }
    Console.WriteLine();
}

if (settings.Scenarios.Contains("twins"))
{
    Console.WriteLine("Twin operations through RegistryManager over HTTPS keep-alive (each client its own device; PATCH with If-Match \"*\")");
    Console.WriteLine($"{"storage",-8} {"op",-6} {"clients",7} {"requests",9} {"req/s",9} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
    foreach (var storage in settings.Storages)
    {
        foreach (var r in await TwinThroughput.MeasureAsync(storage, settings))
        {
            Console.WriteLine(string.Create(inv,
                $"{r.Storage,-8} {r.Operation,-6} {r.Clients,7} {r.Requests,9} {r.PerSecond,9:0} {r.Percentile(50),8:0.00} {r.Percentile(99),8:0.00} {r.LatenciesMs[^1],8:0.00}"));
        }
    }
    Console.WriteLine();
}

if (settings.Scenarios.Contains("jobs"))
{
    Console.WriteLine($"Jobs (sqlite): a twin-update job over {settings.JobDevices} devices, target under 2 s (IoT Hub S1 runs 10 device operations/s)");
    Console.WriteLine($"{"job",-32} {"devices",8} {"succeeded",10} {"hub endTime-createdTime",24} {"client PUT->completed",22}");
    foreach (var r in await JobDurations.MeasureTwinJobsAsync(settings.JobDevices, settings.JobRuns, settings.ScenarioLimit))
    {
        Console.WriteLine(string.Create(inv,
            $"{r.Job,-32} {r.Devices,8} {r.Succeeded,10} {r.HubTime.TotalMilliseconds,21:0} ms {r.ClientTime.TotalMilliseconds,19:0} ms"));
    }
    Console.WriteLine();
    Console.WriteLine($"Jobs (sqlite): a direct-method job over {settings.MethodJobDevices} devices connected with DeviceClient over TLS+MQTT, target under 2 s");
    Console.WriteLine($"{"job",-32} {"devices",8} {"succeeded",10} {"hub endTime-createdTime",24} {"client PUT->completed",22}");
    foreach (var r in await JobDurations.MeasureMethodJobsAsync(settings.MethodJobDevices, settings.JobRuns, settings.ScenarioLimit))
    {
        Console.WriteLine(string.Create(inv,
            $"{r.Job,-32} {r.Devices,8} {r.Succeeded,10} {r.HubTime.TotalMilliseconds,21:0} ms {r.ClientTime.TotalMilliseconds,19:0} ms"));
    }
    Console.WriteLine();
}

if (settings.Scenarios.Contains("query"))
{
    var queryLimit = TimeSpan.FromTicks(settings.ScenarioLimit.Ticks * 5); // seeding 100,000 twins takes longer than one scenario
    foreach (var storage in settings.Storages)
    {
        var (seeding, results) = await QueryLatency.MeasureAsync(storage, settings.QueryTwins, settings.QueryRuns, queryLimit);
        string Mb(long bytes) => (bytes / 1048576.0).ToString("0", inv) + " MB";
        Console.WriteLine(string.Create(inv, $"Queries over {seeding.Twins:N0} twins ({storage}); seeded through POST /devices (100 per request, 4 streams) in {seeding.Elapsed.TotalSeconds:0.0} s"));
        Console.WriteLine($"Emulator resident memory: empty {Mb(seeding.RssEmptyBytes)}, with the twins {Mb(seeding.RssSeededBytes)}, after the first query {Mb(seeding.RssQueriedBytes)} " +
            $"(~{((seeding.RssQueriedBytes - seeding.RssEmptyBytes) / (double)seeding.Twins / 1024).ToString("0.0", inv)} KB per twin)");
        Console.WriteLine($"{"query",-26} {"rows",7} {"pages",6} {"first ms",9} {"median ms",10} {"min ms",8} {"max ms",8} {"emulator CPU ms",16}   (every page fetched, over HTTPS keep-alive; {settings.QueryRuns} runs after the first; CPU = the emulator process's, median)");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(inv,
                $"{r.Name,-26} {r.Rows,7} {r.Pages,6} {r.FirstMs,9:0.0} {r.Median,10:0.0} {r.RunsMs[0],8:0.0} {r.RunsMs[^1],8:0.0} {r.CpuMedian,16:0.0}"));
        }
        Console.WriteLine();
    }
    foreach (var (name, query, pageSize) in QueryLatency.Queries) Console.WriteLine($"  {name}: {query} (page size {pageSize})");
}

if (settings.Scenarios.Contains("configurations"))
{
    Console.WriteLine($"Automatic device configurations: one evaluation of {settings.Configurations} configurations over {settings.QueryTwins} twins, in process (target: under 2 s)");
    Console.WriteLine("Each cell: wall time / CPU time of the process (twins written).");
    Console.WriteLine($"{"storage",-8} {"set-up",10} {"first (writes all)",32} {"steady (no change)",32} {"after a priority change",32}");
    foreach (var storage in settings.Storages)
    {
        var r = ConfigurationEvaluation.Measure(storage, settings.QueryTwins, settings.Configurations);
        string Run(ConfigurationEvaluation.ConfigurationEvaluationRun run)
            => string.Create(inv, $"{run.Duration.TotalMilliseconds:0} ms / {run.Cpu.TotalMilliseconds:0} ms ({run.UpdatedTwins})");
        Console.WriteLine(string.Create(inv, $"{r.Storage,-8} {r.Setup.TotalSeconds,8:0.0} s {Run(r.First),32} {Run(r.Steady),32} {Run(r.AfterChange),32}"));
    }
    Console.WriteLine();
}
if (settings.Scenarios.Contains("methods"))
{
    Console.WriteLine($"Direct methods: ServiceClient.InvokeDeviceMethodAsync over HTTPS keep-alive -> emulator -> DeviceClient over MQTT/TLS (echo handler) -> back (SQLite hub)");
    Console.WriteLine($"floor: the same request/response as two MQTT hops through Debian's mosquitto on loopback (TCP, no TLS, QoS 0, MQTTnet clients)");
    Console.WriteLine($"{"path",-38} {"devices",8} {"calls",6} {"p50 ms",8} {"p99 ms",8} {"calls/s 1 caller",17} {$"calls/s {settings.MethodConcurrency} callers",18}");
    void Row(RoundTripResult r) => Console.WriteLine(string.Create(inv,
        $"{r.Path,-38} {r.Devices,8} {r.Calls,6} {r.Percentile(50),8:0.00} {r.Percentile(99),8:0.00} {r.SequentialPerSecond,17:0} {r.ConcurrentPerSecond,18:0}"));
    foreach (var devices in settings.MethodDevices)
        Row(await MethodRoundTrip.MeasureAsync(devices, settings.MethodCalls, settings.Warmup, settings.MethodConcurrency, settings.ScenarioLimit));
    var (floor, skipped) = await MosquittoFloor.MeasureAsync(settings.MethodCalls, settings.Warmup, settings.MethodConcurrency, settings.ScenarioLimit);
    if (floor is not null) Row(floor);
    else Console.WriteLine($"{"mosquitto: MQTT/TCP req -> resp",-38} skipped: {skipped}");
    Console.WriteLine();
}

if (settings.Scenarios.Contains("connections"))
{
    Console.WriteLine($"Concurrent device connections: {settings.Connections} devices, MQTT 3.1.1 over TLS 1.3 on the MQTT port, CONNECT with device SAS, CleanSession=0, held idle (target 10,000)");
    var r = await DeviceConnections.MeasureAsync(settings.Connections, 64, settings.ScenarioLimit * 5);
    string Mb(long bytes) => (bytes / 1048576.0).ToString("0", inv) + " MB";
    Console.WriteLine(string.Create(inv,
        $"connected {r.Connected} of {r.Target} (refused {r.Refused}, failed {r.Failed}) in {r.ConnectTime.TotalSeconds:0.0} s ({r.Connected / r.ConnectTime.TotalSeconds:0} connects/s); connectedDeviceCount {r.ConnectedDeviceCount}"));
    Console.WriteLine(string.Create(inv,
        $"emulator working set {Mb(r.WorkingSetBefore)} -> {Mb(r.WorkingSetAfter)}, private {Mb(r.PrivateBefore)} -> {Mb(r.PrivateAfter)} (~{(r.WorkingSetAfter - r.WorkingSetBefore) / (double)Math.Max(1, r.Connected) / 1024:0.0} KB working set per connection)"));
    Console.WriteLine();
}
if (settings.Scenarios.Contains("telemetry"))
{
    const int devices = 100, perDevice = 100, latencySamples = 200;
    Console.WriteLine($"Telemetry (sqlite): {devices} devices (DeviceClient, MQTT/TLS, QoS 1: each send waits for the PUBACK, given after the durable write) sending {perDevice} messages each, all at once;");
    Console.WriteLine($"then end-to-end latency of {latencySamples} single messages: SendEventAsync -> EventHubConsumerClient (Azure.Messaging.EventHubs over AMQP) receiving it");
    var r = await TelemetryThroughput.MeasureAsync(devices, perDevice, latencySamples, settings.ScenarioLimit * 3);
    Console.WriteLine(string.Create(inv,
        $"ingest: {r.Messages} messages in {r.IngestTime.TotalSeconds:0.00} s = {r.Messages / r.IngestTime.TotalSeconds:0} messages/s; send (PUBACK) p50 {r.SendPercentile(50):0.00} ms, p99 {r.SendPercentile(99):0.00} ms"));
    Console.WriteLine(string.Create(inv,
        $"end to end: p50 {r.EndToEndPercentile(50):0.00} ms, p99 {r.EndToEndPercentile(99):0.00} ms, max {r.EndToEndMs[^1]:0.00} ms"));
    Console.WriteLine();
}
if (settings.Scenarios.Contains("simulation"))
{
    Console.WriteLine("Simulated devices (IotLabKit.Simulation, every pattern, telemetry every 5 s, TLS+MQTT, in this process; SQLite hub):");
    Console.WriteLine("start N 8 at a time as New-SimulatedFleet does; Lab 16's firmware update pushed to all (course timings x 0.05: 1.15 s of device work each) until all run 1.0.1; stop all");
    Console.WriteLine($"{"devices",8} {"started",8} {"start",9} {"devices/s",10} {"managed/dev",12} {"WS/dev",9} {"updated",8} {"fleet update",13} {"stop all",9}");
    foreach (var size in settings.FleetSizes)
    {
        var r = await SimulatedFleet.MeasureAsync(size, settings.ScenarioLimit * 3);
        Console.WriteLine(string.Create(inv,
            $"{r.Devices,8} {r.Started,8} {r.StartTime.TotalSeconds,7:0.00} s {r.Started / r.StartTime.TotalSeconds,10:0} {r.ManagedKbPerDevice,9:0.0} KB {r.WorkingSetKbPerDevice,6:0} KB {r.Updated,8} {r.FirmwareTime.TotalSeconds,11:0.00} s {r.StopTime.TotalSeconds,7:0.00} s"));
    }
    Console.WriteLine();
}
return 0;
