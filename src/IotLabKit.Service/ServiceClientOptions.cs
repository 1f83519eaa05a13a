namespace IotLabKit.Service;

/// <summary>Options for <see cref="RegistryManager"/> (and the other service clients).</summary>
public sealed class ServiceClientOptions
{
    /// <summary>
    /// The emulator's CA certificate (PEM or DER file). Used only when the connection string says
    /// <c>UseDevelopmentEmulator=true</c>; then it is looked for first, before the <c>IOTLABKIT_EMULATOR_CA</c>
    /// environment variable and the default <c>&lt;LocalApplicationData&gt;/IotLabKit/emulator/certs/ca.pem</c>
    /// (see <see cref="IotLabKit.Protocol.EmulatorTrust"/>).
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// The AMQPS port for cloud-to-device messages and feedback. Default null: 5671, IoT Hub's port (the emulator's
    /// default too; an emulator on another port reports it as <c>amqpsPort</c> in its status).
    /// </summary>
    public int? AmqpsPort { get; set; }

    /// <summary>How long one try may take, connecting included. Default 100 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries for 429 and 503 answers.</summary>
    public RetryPolicy RetryPolicy { get; set; } = new();

    /// <summary>
    /// How long minted SAS tokens are valid. Default 1 hour; a token is renewed 5 minutes (or a fifth of this, if
    /// shorter) before it expires.
    /// </summary>
    public TimeSpan SasTokenTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// For advanced use (proxies, tracing, tests): the handler to send requests with. The client does not dispose it
    /// and does not configure it, so certificate trust is then the handler's business.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    internal void Validate()
    {
        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "ServiceClientOptions.Timeout must be positive.");
        if (SasTokenTimeToLive < TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(SasTokenTimeToLive), SasTokenTimeToLive, "ServiceClientOptions.SasTokenTimeToLive must be at least one minute.");
        (RetryPolicy ?? throw new ArgumentNullException(nameof(RetryPolicy), "ServiceClientOptions.RetryPolicy must not be null.")).Validate();
    }
}
