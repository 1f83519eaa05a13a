using IotLabKit.Service;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests;

/// <summary>One real emulator process (SQLite storage, fresh data directory) shared by the service-client tests.</summary>
public sealed class ServiceEmulatorFixture : IAsyncLifetime
{
    private EmulatorProcess? _emulator;

    public EmulatorProcess Emulator => _emulator ?? throw new InvalidOperationException("The emulator has not started.");

    public async Task InitializeAsync() => _emulator = await EmulatorProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_emulator is not null) await _emulator.DisposeAsync();
    }

    /// <summary>Options that trust this emulator's CA (as a lab machine would through the default path).</summary>
    public ServiceClientOptions Options(RetryPolicy? retry = null) => new()
    {
        CaCertificatePath = Emulator.Status.CaCertificatePath,
        Timeout = TimeSpan.FromSeconds(30),
        RetryPolicy = retry ?? new RetryPolicy(),
    };

    /// <summary>A registry manager for a policy of this emulator.</summary>
    public RegistryManager Registry(string policy = "iothubowner")
        => RegistryManager.CreateFromConnectionString(Emulator.ConnectionString(policy), Options());

    /// <summary>A device id no other test uses.</summary>
    public static string NewDeviceId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];
}

[CollectionDefinition(Name)]
public sealed class ServiceEmulatorCollection : ICollectionFixture<ServiceEmulatorFixture>
{
    public const string Name = "Service client against one emulator";
}
