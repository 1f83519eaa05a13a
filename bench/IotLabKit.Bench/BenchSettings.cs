using System.Globalization;

namespace IotLabKit.Bench;

/// <summary>What to run, from the command line. Every run is bounded: fixed request counts and a time limit.</summary>
internal sealed record BenchSettings
{
    public int Requests { get; init; } = 2000;
    public int Warmup { get; init; } = 100;
    public IReadOnlyList<int> Clients { get; init; } = [1, 8];
    public IReadOnlyList<string> Storages { get; init; } = ["sqlite", "memory"];
    public int Restarts { get; init; } = 3;
    public TimeSpan ScenarioLimit { get; init; } = TimeSpan.FromMinutes(2);
    public IReadOnlyList<string> Scenarios { get; init; } = ["coldstart", "twins", "jobs", "query", "configurations", "methods", "connections", "telemetry", "simulation"];
    public int JobDevices { get; init; } = 10_000;
    public int JobRuns { get; init; } = 3;
    public int MethodJobDevices { get; init; } = 1_000;
    public int QueryTwins { get; init; } = 100_000;
    public int QueryRuns { get; init; } = 10;
    public int Configurations { get; init; } = 50;
    public IReadOnlyList<int> MethodDevices { get; init; } = [1, 1000];
    public int MethodCalls { get; init; } = 2000;
    public int MethodConcurrency { get; init; } = 16;
    public int Connections { get; init; } = 10_000;
    public IReadOnlyList<int> FleetSizes { get; init; } = [100, 1000];

    public const string Usage = """
        IotLabKit.Bench — starts real emulator processes and prints figures.

          --requests <n>      requests per operation and client count (default 2000)
          --warmup <n>        warm-up requests per client before measuring (default 100)
          --clients <a,b,…>   concurrent clients to try (default 1,8)
          --storage <a,b>     sqlite, memory or both (default sqlite,memory)
          --restarts <n>      warm restarts to time per storage (default 3)
          --limit <seconds>   give up on a scenario after this long (default 120)
          --scenarios <a,b>   coldstart, twins, jobs, query, configurations, methods, connections, telemetry, simulation (default all)
          --job-devices <n>   devices a twin-update job targets (default 10000)
          --job-runs <n>      jobs of each kind to time (default 3)
          --method-job-devices <n>  connected devices a method job calls (default 1000)
          --twins <n>         twins the query and configurations scenarios use (default 100000)
          --query-runs <n>    timed runs per query after the first (default 10)
          --configurations <n> configurations the configurations scenario evaluates (default 50)
          --method-devices <a,b> connected devices for the direct-method round trip (default 1,1000)
          --method-calls <n>  method calls per row, after the warm-up (default 2000)
          --method-concurrency <n> callers for the calls/s under load (default 16)
          --connections <n>   device connections the connections scenario opens and holds (default 10000)
          --fleet-sizes <a,b> simulated devices the simulation scenario runs at once (default 100,1000)
        """;

    public static BenchSettings Parse(string[] args)
    {
        var s = new BenchSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            s = args[i] switch
            {
                "--requests" => s with { Requests = Positive(Next()) },
                "--warmup" => s with { Warmup = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--clients" => s with { Clients = Next().Split(',').Select(Positive).ToArray() },
                "--storage" => s with { Storages = Next().Split(',').Select(Storage).ToArray() },
                "--restarts" => s with { Restarts = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--limit" => s with { ScenarioLimit = TimeSpan.FromSeconds(Positive(Next())) },
                "--scenarios" => s with { Scenarios = Next().Split(',').Select(Scenario).ToArray() },
                "--job-devices" => s with { JobDevices = Positive(Next()) },
                "--job-runs" => s with { JobRuns = Positive(Next()) },
                "--method-job-devices" => s with { MethodJobDevices = Positive(Next()) },
                "--twins" => s with { QueryTwins = Positive(Next()) },
                "--query-runs" => s with { QueryRuns = Positive(Next()) },
                "--configurations" => s with { Configurations = Positive(Next()) },
                "--method-devices" => s with { MethodDevices = Next().Split(',').Select(Positive).ToArray() },
                "--method-calls" => s with { MethodCalls = Positive(Next()) },
                "--method-concurrency" => s with { MethodConcurrency = Positive(Next()) },
                "--connections" => s with { Connections = Positive(Next()) },
                "--fleet-sizes" => s with { FleetSizes = Next().Split(',').Select(Positive).ToArray() },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        return s;
    }

    private static int Positive(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"'{text}' is not a positive number.");

    private static string Scenario(string text) => text.Trim().ToLowerInvariant() switch
    {
        "coldstart" or "twins" or "jobs" or "query" or "configurations" or "methods" or "connections" or "telemetry" or "simulation" => text.Trim().ToLowerInvariant(),
        _ => throw new ArgumentException($"'{text}' is not a scenario (coldstart, twins, jobs, query, configurations, methods, connections, telemetry, simulation)."),
    };

    private static string Storage(string text) => text.Trim().ToLowerInvariant() switch
    {
        "sqlite" => "sqlite",
        "memory" or "in-memory" or "inmemory" => "memory",
        _ => throw new ArgumentException($"'{text}' is not a storage (sqlite, memory)."),
    };
}
