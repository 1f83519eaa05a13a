using System.Text.Json.Nodes;
using IotLabKit.Device;
using IotLabKit.Protocol;
using IotLabKit.Service;
using IotLabKit.Testing;

namespace IotLabKit.Simulation.Tests.EndToEnd;

/// <summary>One real emulator process (in memory) shared by the end-to-end simulation tests, with service clients on it.</summary>
public sealed class SimulationHub : IAsyncLifetime
{
    /// <summary>How long a test waits for a device or the twin to reach a state before it fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private EmulatorProcess? _emulator;

    public EmulatorProcess Emulator => _emulator ?? throw new InvalidOperationException("The emulator has not started.");

    public RegistryManager Registry { get; private set; } = null!;

    public ServiceClient Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        var options = new ServiceClientOptions { CaCertificatePath = Emulator.Status.CaCertificatePath, Timeout = TimeSpan.FromSeconds(60) };
        Registry = RegistryManager.CreateFromConnectionString(Emulator.ConnectionString(), options);
        Service = ServiceClient.CreateFromConnectionString(Emulator.ConnectionString(), options);
    }

    public async Task DisposeAsync()
    {
        Service?.Dispose();
        (Registry as IDisposable)?.Dispose();
        if (_emulator is not null) await _emulator.DisposeAsync();
    }

    /// <summary>Creates a device no other test uses and returns its id and connection string.</summary>
    public async Task<(string Id, string ConnectionString)> NewDeviceAsync(string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var device = await Registry.AddDeviceAsync(new Service.Device(id));
        var cs = new IotHubConnectionString
        {
            HostName = Emulator.HostNameWithPort,
            DeviceId = id,
            SharedAccessKey = device.Authentication!.SymmetricKey!.PrimaryKey,
            UseDevelopmentEmulator = true,
        }.ToString();
        return (id, cs);
    }

    /// <summary>Options that trust this emulator, with the given behaviours and timings.</summary>
    public SimulatedDeviceOptions Options(SimulatedBehaviors behaviors, SimulationTimings? timings = null) => new()
    {
        Behaviors = behaviors,
        Timings = timings ?? SimulationTimings.Course.Scale(0.01),
        Seed = 1,
        ClientOptions = new DeviceClientOptions { CaCertificatePath = Emulator.Status.CaCertificatePath },
    };

    /// <summary>Reads the twin until <paramref name="condition"/> holds for its reported properties; fails after <see cref="Patience"/>.</summary>
    public async Task<JsonObject> WaitForReportedAsync(string deviceId, Func<JsonObject, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        JsonObject reported = new();
        while (!timeout.IsCancellationRequested)
        {
            var twin = await Registry.GetTwinAsync(deviceId, timeout.Token);
            reported = JsonNode.Parse(twin.Properties.Reported.ToJson())!.AsObject();
            if (condition(reported)) return reported;
            await Task.Delay(50, CancellationToken.None);
        }
        throw new TimeoutException($"The twin of '{deviceId}' did not show {what} within {Patience.TotalSeconds} s. Reported: {reported.ToJsonString()}");
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException($"Not within {Patience.TotalSeconds} s: {what}.");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>The text at a path of a JSON object, or null.</summary>
    public static string? Text(JsonObject root, params string[] path)
    {
        JsonNode? node = root;
        foreach (var name in path) node = (node as JsonObject)?[name];
        return node is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;
    }
}

[CollectionDefinition(Name)]
public sealed class SimulationHubCollection : ICollectionFixture<SimulationHub>
{
    public const string Name = "Simulated devices against one emulator";
}
