namespace IotLabKit.Device;

/// <summary>The state of a <see cref="DeviceClient"/>'s connection, as Microsoft's device SDK names it.</summary>
public enum ConnectionStatus
{
    /// <summary>Not connected, and the client is not trying to reconnect (it gave up, or the hub refused it).</summary>
    Disconnected,
    /// <summary>Connected to the hub.</summary>
    Connected,
    /// <summary>The connection dropped and the client is reconnecting with backoff.</summary>
    Disconnected_Retrying,
    /// <summary>Never opened, or closed by the application.</summary>
    Disabled,
}

/// <summary>Why the <see cref="ConnectionStatus"/> changed.</summary>
public enum ConnectionStatusChangeReason
{
    /// <summary>The connection is up.</summary>
    Connection_Ok,
    /// <summary>The SAS token in the connection string expired and cannot be renewed (no key to sign a new one).</summary>
    Expired_SAS_Token,
    /// <summary>The device is disabled in the registry.</summary>
    Device_Disabled,
    /// <summary>The hub refused the device credentials.</summary>
    Bad_Credential,
    /// <summary>Reconnection gave up after the configured time.</summary>
    Retry_Expired,
    /// <summary>The hub could not be reached.</summary>
    No_Network,
    /// <summary>The connection broke.</summary>
    Communication_Error,
    /// <summary>The application closed the client.</summary>
    Client_Close,
}

/// <summary>Called whenever <see cref="DeviceClient.ConnectionStatus"/> changes; runs off the network loop, one call at a time, in order.</summary>
public delegate void ConnectionStatusChangesHandler(ConnectionStatus status, ConnectionStatusChangeReason reason);
