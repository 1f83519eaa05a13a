BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    Start-TestEmulator | Out-Null
}

AfterAll {
    Stop-TestEmulator
}

Describe 'New-IotDevice and Get-IotDevice' {
    It 'creates a device and gets it back' {
        $id = New-TestDeviceId
        $created = New-IotDevice $id
        $created.PSTypeNames | Should -Contain 'IotLabKit.Device'
        $created.DeviceId | Should -Be $id
        $created.Status | Should -Be 'Enabled'
        $created.AuthenticationType | Should -Be 'Sas'
        (Get-IotDevice $id).ETag | Should -Not -BeNullOrEmpty
    }

    It 'creates one device per CSV row through the pipeline' {
        $a = New-TestDeviceId 'csv'; $b = New-TestDeviceId 'csv'
        $csv = Join-Path $TestDrive 'devices.csv'
        "DeviceId,Status`n$a,Enabled`n$b,Disabled" | Set-Content $csv
        $created = Import-Csv $csv | New-IotDevice
        $created.DeviceId | Should -Be @($a, $b)
        (Get-IotDevice $b).Status | Should -Be 'Disabled'
    }

    It 'lists all devices without -DeviceId and filters with wildcards' {
        $ids = 1..3 | ForEach-Object { New-TestDeviceId 'wild' }
        $ids | New-IotDevice | Out-Null
        $all = Get-IotDevice
        $ids | ForEach-Object { $all.DeviceId | Should -Contain $_ }
        (Get-IotDevice wild-*).DeviceId | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It 'uses the hub''s keys or the ones given' {
        $id = New-TestDeviceId 'keys'
        $key = [Convert]::ToBase64String([byte[]](1..32))
        New-IotDevice $id -PrimaryKey $key | Out-Null
        Get-IotDeviceConnectionString $id -AsPlainText | Should -Match ([regex]::Escape("SharedAccessKey=$key"))
    }

    It 'reports an existing id as ResourceExists and keeps going' {
        $id = New-TestDeviceId 'dup'
        New-IotDevice $id | Out-Null
        $other = New-TestDeviceId 'dup'
        $created = $id, $other | New-IotDevice -ErrorVariable failures -ErrorAction SilentlyContinue
        $created.DeviceId | Should -Be $other
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'NewIotDeviceAlreadyExists,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'reports a missing device as GetIotDeviceNotFound / ObjectNotFound' {
        Get-IotDevice 'no-such-device' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GetIotDeviceNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'no-such-device'
        $failures[0].Exception.Message | Should -Match 'no-such-device'
    }

    It 'creates nothing with -WhatIf' {
        $id = New-TestDeviceId 'whatif'
        New-IotDevice $id -WhatIf | Should -BeNullOrEmpty
        Get-IotDevice $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'shows devices as a table with the agreed columns' {
        $id = New-TestDeviceId 'view'
        $text = New-IotDevice $id | Out-String
        $text | Should -Match 'DeviceId\s+Status\s+ConnectionState\s+LastActivityTime\s+Authentication'
        $text | Should -Match "$id\s+Enabled\s+Disconnected"
    }
}

Describe 'Set-IotDevice' {
    It 'disables a device with a reason' {
        $id = New-TestDeviceId 'set'
        New-IotDevice $id | Out-Null
        $updated = Set-IotDevice $id -Status Disabled -StatusReason 'maintenance'
        $updated.Status | Should -Be 'Disabled'
        (Get-IotDevice $id).StatusReason | Should -Be 'maintenance'
    }

    It 'refuses a stale -ETag with PreconditionFailed' {
        $id = New-TestDeviceId 'etag'
        $old = New-IotDevice $id
        Set-IotDevice $id -Status Disabled | Out-Null
        Set-IotDevice $id -Status Enabled -ETag $old.ETag -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SetIotDevicePreconditionFailed,*'
        (Get-IotDevice $id).Status | Should -Be 'Disabled'
    }

    It 'changes nothing with -WhatIf' {
        $id = New-TestDeviceId 'setwi'
        New-IotDevice $id | Out-Null
        Set-IotDevice $id -Status Disabled -WhatIf | Should -BeNullOrEmpty
        (Get-IotDevice $id).Status | Should -Be 'Enabled'
    }
}

Describe 'Remove-IotDevice' {
    It 'deletes devices piped from Get-IotDevice' {
        $ids = 1..2 | ForEach-Object { New-TestDeviceId 'rm' }
        $ids | New-IotDevice | Out-Null
        Get-IotDevice rm-* | Remove-IotDevice -Force
        Get-IotDevice rm-* | Should -BeNullOrEmpty
    }

    It 'deletes nothing with -WhatIf, even with -Force' {
        $id = New-TestDeviceId 'keep'
        New-IotDevice $id | Out-Null
        Get-IotDevice $id | Remove-IotDevice -WhatIf -Force
        (Get-IotDevice $id).DeviceId | Should -Be $id
    }

    It 'reports a missing device as RemoveIotDeviceNotFound' {
        Remove-IotDevice 'no-such-device' -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RemoveIotDeviceNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'asks for confirmation by default (ConfirmImpact High)' {
        $meta = [System.Management.Automation.CommandMetadata]::new((Get-Command Remove-IotDevice))
        $meta.ConfirmImpact | Should -Be 'High'
        $meta.SupportsShouldProcess | Should -BeTrue
    }
}

Describe 'Get-IotDeviceConnectionString' {
    BeforeAll {
        $script:csId = New-TestDeviceId 'cs'
        New-IotDevice $script:csId | Out-Null
    }

    It 'returns a SecureString by default' {
        Get-IotDeviceConnectionString $csId | Should -BeOfType [securestring]
    }

    It 'returns text with -AsPlainText, marked for the emulator' {
        $text = Get-IotDeviceConnectionString $csId -AsPlainText
        $text | Should -BeOfType [string]
        $text | Should -Match "^HostName=localhost:\d+;DeviceId=$csId;SharedAccessKey=[A-Za-z0-9+/=]+;UseDevelopmentEmulator=true$"
    }

    It 'holds the same text in the SecureString' {
        ConvertFrom-SecureStringToText (Get-IotDeviceConnectionString $csId) | Should -Be (Get-IotDeviceConnectionString $csId -AsPlainText)
    }

    It 'uses the secondary key with -KeyType Secondary' {
        $primary = Get-IotDeviceConnectionString $csId -AsPlainText
        $secondary = Get-IotDeviceConnectionString $csId -KeyType Secondary -AsPlainText
        $secondary | Should -Not -Be $primary
        $secondary | Should -Match 'SharedAccessKey='
    }
}

Describe 'Tab completion of device ids' {
    It 'completes -DeviceId from the connected hub' {
        $ids = 'tab-alpha', 'tab-beta'
        $ids | New-IotDevice | Out-Null
        $line = 'Get-Twin -DeviceId tab-'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Be $ids
    }

    It 'filters on the typed prefix' {
        $line = 'Remove-IotDevice tab-b'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Be @('tab-beta')
    }
}

Describe 'Without a connection' {
    BeforeAll {
        $script:serviceConnectionString = (Get-IotHubEmulator -AsPlainText).ServiceConnectionString
        Disconnect-IotHub
    }

    AfterAll {
        Connect-IotHub -ConnectionString $script:serviceConnectionString | Out-Null
    }

    It 'stops with NotConnected and says what to run' {
        $err = $null
        try { Get-IotDevice -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'GetIotDeviceNotConnected,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match 'Start-IotHubEmulator'
        $err.Exception.Message | Should -Match 'Connect-IotHub'
    }

    It 'completes nothing and stays silent' {
        $line = 'Get-Twin -DeviceId tab-'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches | Should -BeNullOrEmpty
    }

    It 'works for one call with -ConnectionString' {
        $id = New-TestDeviceId 'override'
        (New-IotDevice $id -ConnectionString $script:serviceConnectionString).DeviceId | Should -Be $id
        (Get-IotDevice $id -ConnectionString (ConvertTo-SecureString $script:serviceConnectionString -AsPlainText -Force)).DeviceId | Should -Be $id
    }
}

Describe 'Connect-IotHub' {
    It 'connects with a SecureString and outputs no secret' {
        $cs = (Get-IotHubEmulator -AsPlainText).ServiceConnectionString
        $connection = Connect-IotHub -ConnectionString (ConvertTo-SecureString $cs -AsPlainText -Force)
        $connection.IsEmulator | Should -BeTrue
        $connection.PolicyName | Should -Be 'iothubowner'
        $connection.DeviceCount | Should -BeGreaterThan 0
        $key = ($cs -split ';' | Where-Object { $_ -like 'SharedAccessKey=*' }) -replace '^SharedAccessKey=', ''
        ($connection | ConvertTo-Json) | Should -Not -Match ([regex]::Escape($key))
    }

    It 'rejects a malformed connection string with InvalidArgument' {
        $err = $null
        try { Connect-IotHub -ConnectionString 'HostName=nowhere' -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectIotHubInvalidConnectionString,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-IotDevice | Should -Not -BeNullOrEmpty   # the previous connection is still in place
    }

    It 'rejects a wrong key with PermissionDenied' {
        $cs = (Get-IotHubEmulator -AsPlainText).ServiceConnectionString
        $wrong = $cs -replace 'SharedAccessKey=[^;]+', ('SharedAccessKey=' + [Convert]::ToBase64String([byte[]](1..32)))
        $err = $null
        try { Connect-IotHub -ConnectionString $wrong -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectIotHubUnauthorized,*'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
    }
}
