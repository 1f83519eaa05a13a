namespace IotLabKit.Testing;

/// <summary>How <see cref="EmulatorProcess.StartAsync"/> starts an emulator.</summary>
public sealed record EmulatorOptions
{
    /// <summary>The data directory; null makes a fresh temporary one (deleted on dispose).</summary>
    public string? DataDir { get; init; }
    /// <summary>Start with <c>--in-memory</c>.</summary>
    public bool InMemory { get; init; }
    /// <summary>The HTTPS port (0 = any free port).</summary>
    public int HttpsPort { get; init; }
    /// <summary>The MQTT-over-TLS port (0 = any free port, so test emulators never fight over 8883).</summary>
    public int MqttPort { get; init; }
    /// <summary>The AMQPS port; 0 (the default here) = any free port.</summary>
    public int AmqpsPort { get; init; }
    /// <summary>The plain AMQP port; 0 (the default here) = any free port.</summary>
    public int AmqpPort { get; init; }
    /// <summary><c>--host-name</c>, when set.</summary>
    public string? HostName { get; init; }
    /// <summary><c>--hub-name</c>, when set.</summary>
    public string? HubName { get; init; }
    /// <summary>Start with <c>--verbose</c>.</summary>
    public bool Verbose { get; init; }
    /// <summary>More command-line arguments.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
    /// <summary>How long to wait for the emulator to report that it listens.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The emulator dll; null finds it next to the test assembly (or <c>IOTLABKIT_EMULATOR_DLL</c>).</summary>
    public string? EmulatorDllPath { get; init; }
}
