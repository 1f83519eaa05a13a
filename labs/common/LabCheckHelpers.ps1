# Helpers shared by the labs' check functions (LabNN.Checks.ps1 dot-sources this file). They keep the contract of
# labs/README.md in one place: one result object per check, and no exception ever reaches the caller, so the
# runner's checkpoints and the Pester graders always get a message a student can act on.

function New-LabCheckResult {
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $Check, [Parameter(Mandatory)] [bool] $Passed, [Parameter(Mandatory)] [string] $Message)
    [pscustomobject]@{ PSTypeName = 'IotLabKit.LabCheckResult'; Check = $Check; Passed = $Passed; Message = $Message }
}

function Invoke-LabCheck {
    # Runs a check's body; a failure to reach the hub (no connection, network, access) becomes a failed result
    # that says what went wrong instead of an exception.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Check, [Parameter(Mandatory)] [scriptblock] $Body)
    try {
        $result = & $Body
        if ($null -eq $result) { throw "The check $Check returned nothing." }
        $result
    }
    catch {
        $reason = $_.Exception.Message
        if ($_.FullyQualifiedErrorId -like '*NotConnected*') {
            $reason = 'This session is not connected to a hub. Run Start-IotHubEmulator (or Start-IotLab), or Connect-IotHub -ConnectionString "<iothubowner connection string>" for a real hub.'
        }
        New-LabCheckResult -Check $Check -Passed $false -Message "Could not check the hub: $reason"
    }
}

function Get-LabTwin {
    # The device's twin, or $null when the device does not exist (other errors propagate to Invoke-LabCheck).
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $DeviceId)
    $twin = Get-Twin -DeviceId $DeviceId -ErrorAction SilentlyContinue -ErrorVariable twinErrors
    if ($twin) { return $twin }
    if ($twinErrors.Count -gt 0 -and $twinErrors[0].CategoryInfo.Category -ne 'ObjectNotFound') { throw $twinErrors[0] }
    $null
}

function Get-LabMissingDeviceMessage([string] $DeviceId, [int] $Lab) {
    "Device '$DeviceId' does not exist in the hub. Run the lab's setup (Start-IotLab -Lab $Lab -Step 1.1) or create it yourself: New-IotDevice -DeviceId $DeviceId."
}

function Test-LabDeviceExists {
    # The setup task's rule: the lab's device is registered in the hub.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Check, [Parameter(Mandatory)] [string] $DeviceId, [Parameter(Mandatory)] [int] $Lab)
    Invoke-LabCheck -Check $Check -Body {
        $device = Get-IotDevice -DeviceId $DeviceId -ErrorAction SilentlyContinue -ErrorVariable deviceErrors
        if ($device) {
            return New-LabCheckResult $Check $true "Device '$DeviceId' exists in the hub (status $($device.Status))."
        }
        if ($deviceErrors.Count -gt 0 -and $deviceErrors[0].CategoryInfo.Category -ne 'ObjectNotFound') { throw $deviceErrors[0] }
        New-LabCheckResult $Check $false (Get-LabMissingDeviceMessage $DeviceId $Lab)
    }
}

function Format-LabValue {
    # A twin value as the student would write it: 'text' for strings, the number or JSON otherwise, (missing) for none.
    param($Value)
    if ($null -eq $Value) { return '(missing)' }
    if ($Value -is [string]) { return "'$Value'" }
    if ($Value -is [ValueType]) { return "$Value" }
    $Value | ConvertTo-Json -Depth 10 -Compress
}

function Join-LabCheckResult {
    # Several checks as one checkpoint: passed when all passed; the message names what failed first, or sums up.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $Check, [Parameter(Mandatory)] [object[]] $Results, [switch] $Score)
    $failed = @($Results | Where-Object { -not $_.Passed })
    $summary = if ($Score) { "$($Results.Count - $failed.Count) of $($Results.Count) checks passed. " } else { '' }
    if ($failed) { return New-LabCheckResult $Check $false ($summary + (($failed | ForEach-Object Message) -join ' ')) }
    New-LabCheckResult $Check $true ($summary + (($Results | ForEach-Object Message) -join ' '))
}
