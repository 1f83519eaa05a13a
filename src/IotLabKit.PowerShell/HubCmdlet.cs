using System.Management.Automation;
using System.Security;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Session;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.PowerShell;

/// <summary>
/// The base of cmdlets that talk to a hub: they use the session's connection, or the one given with
/// -ConnectionString for this call only.
/// </summary>
public abstract class HubCmdlet : IotLabKitCmdlet
{
    private HubConnection? connection;
    private bool ownsConnection;

    /// <summary>
    /// A service connection string to use for this command instead of the session's connection
    /// (string or SecureString).
    /// </summary>
    [Parameter]
    [SecureStringTransformation]
    [ValidateNotNull]
    public SecureString? ConnectionString { get; set; }

    /// <summary>The connection this command uses; resolved once, on first use.</summary>
    internal HubConnection Connection => connection ??= ResolveConnection();

    /// <summary>The registry client of <see cref="Connection"/>.</summary>
    internal RegistryManager Registry => Connection.Registry;

    /// <summary>Resolves the connection early so "not connected" stops the command before any input is read.</summary>
    protected override void BeginProcessing() => _ = Connection;

    /// <summary>
    /// Stops the command with <c>&lt;Command&gt;NotEmulator</c> (InvalidOperation) unless it talks to an IotLabKit
    /// emulator; <paramref name="onRealHub"/> says what a real hub does instead.
    /// </summary>
    protected void RequireEmulator(string onRealHub, string recommendedAction)
    {
        if (!Connection.IsEmulator)
            Fail("NotEmulator", ErrorCategory.InvalidOperation, $"'{Connection.HostName}' is not an IotLabKit emulator: {onRealHub}",
                Connection.HostName, recommendedAction: recommendedAction);
    }

    private HubConnection ResolveConnection()
    {
        if (ConnectionString is null)
        {
            var current = HubSession.Current;
            if (current is null) ThrowTerminatingError(ErrorRecordFactory.NotConnected(CommandId));
            return current!;
        }
        if (!IotHubConnectionString.TryParse(SecretText.ToPlainText(ConnectionString), out var parsed, out var error))
            ThrowTerminatingError(ErrorRecordFactory.Create(CommandId, "InvalidConnectionString", ErrorCategory.InvalidArgument, error, null));
        ownsConnection = true;
        var cs = parsed!;
        var ca = cs.UseDevelopmentEmulator ? HubSession.Current?.CaCertificatePath ?? HubSession.Emulator?.Status?.CaCertificatePath : null;
        return new HubConnection(cs, ca) { HubName = cs.Host.Split('.')[0] };
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsConnection) connection?.Dispose();
        base.Dispose(disposing);
    }
}
