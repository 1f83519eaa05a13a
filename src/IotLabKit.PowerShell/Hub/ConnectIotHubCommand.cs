using System.Management.Automation;
using System.Security;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Session;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Hub;

/// <summary>
/// Connects the session to an IoT hub (Azure or an emulator) with a service connection string, after checking
/// that the hub answers. Later hub cmdlets use this connection.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "IotHub")]
[OutputType(typeof(HubConnection))]
public sealed class ConnectIotHubCommand : IotLabKitCmdlet
{
    /// <summary>The hub's service connection string (string or SecureString), e.g. the iothubowner policy's.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SecureStringTransformation]
    [ValidateNotNull]
    public SecureString ConnectionString { get; set; } = null!;

    /// <summary>
    /// The emulator's CA certificate to trust (PEM). Only used when the connection string says
    /// UseDevelopmentEmulator=true; defaults to IOTLABKIT_EMULATOR_CA or the emulator's default data folder.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CaCertificatePath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!IotHubConnectionString.TryParse(SecretText.ToPlainText(ConnectionString), out var parsed, out var error))
            Fail("InvalidConnectionString", ErrorCategory.InvalidArgument, error);
        var cs = parsed!;
        if (cs.SharedAccessKeyName is null && cs.DeviceId is not null)
            Fail("DeviceConnectionString", ErrorCategory.InvalidArgument,
                "This is a device connection string (it has DeviceId). Connect-IotHub needs a service connection string, such as the iothubowner policy's.");

        string? ca = null;
        if (cs.UseDevelopmentEmulator)
        {
            var given = CaCertificatePath is null ? null : GetUnresolvedProviderPathFromPSPath(CaCertificatePath);
            try { ca = EmulatorTrust.ResolveCaPath(given ?? HubSession.Emulator?.Status?.CaCertificatePath); }
            catch (FileNotFoundException ex) { Fail("CaCertificateNotFound", ErrorCategory.ObjectNotFound, ex.Message, given, ex); }
        }

        var connection = new HubConnection(cs, ca)
        {
            HubName = HubSession.Emulator?.Status is { } s && string.Equals(s.ConnectionHost, cs.HostName, StringComparison.OrdinalIgnoreCase)
                ? s.HubName
                : cs.Host.Split('.')[0],
        };
        try
        {
            connection.DeviceCount = Verify(connection);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            connection.Dispose();
            ThrowTerminatingError(ErrorRecordFactory.FromException(ex, CommandId, cs.HostName));
        }
        HubSession.Connect(connection);
        WriteObject(connection);
    }

    /// <summary>One call to prove the hub answers and the key works; the registry read also gives the device count.</summary>
    private long? Verify(HubConnection connection)
    {
        try
        {
            return Await(ct => connection.Registry.GetRegistryStatisticsAsync(ct)).TotalDeviceCount;
        }
        catch (UnauthorizedException)
        {
            // A "service" policy may not read the registry but is still a good connection for twins and methods.
            Await(ct => connection.Registry.GetServiceStatisticsAsync(ct));
            return null;
        }
    }
}
