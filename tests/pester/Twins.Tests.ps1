BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    Start-TestEmulator | Out-Null
}

AfterAll {
    Stop-TestEmulator
}

Describe 'The must-show scenario' {
    It 'sets a desired property and reads it back with $version and $metadata' {
        New-IotDevice d1 | Out-Null
        (Get-Twin d1).Desired.'$version' | Should -Be 1

        $updated = Set-TwinDesired -DeviceId d1 -Properties @{ telemetryConfig = @{ sendFrequency = '5m' } }
        $updated.PSTypeNames | Should -Contain 'IotLabKit.Twin'

        $twin = Get-Twin d1
        $twin.Desired.'$version' | Should -Be 2
        $twin.Desired.telemetryConfig.sendFrequency | Should -Be '5m'
        $twin.Desired.'$metadata'.telemetryConfig.sendFrequency.'$lastUpdatedVersion' | Should -Be 2
        $twin.Desired.'$metadata'.telemetryConfig.'$lastUpdated' | Should -Not -BeNullOrEmpty
    }

    It 'converts to JSON shaped like the wire twin' {
        $json = Get-Twin d1 | ConvertTo-Json -Depth 10 | ConvertFrom-Json -AsHashtable
        $json.DeviceId | Should -Be 'd1'
        $json.Status | Should -Be 'Enabled'
        $json.Desired['$version'] | Should -Be 2
        $json.Desired.telemetryConfig.sendFrequency | Should -Be '5m'
        $json.Desired['$metadata'].telemetryConfig.sendFrequency['$lastUpdatedVersion'] | Should -Be 2
        $json.Reported['$version'] | Should -Be 1
    }
}

Describe 'Set-TwinDesired input rules' {
    BeforeEach {
        $id = New-TestDeviceId 'twin'
        New-IotDevice $id | Out-Null
    }

    It 'treats dotted keys as nested paths and leaves siblings alone' {
        Set-TwinDesired $id @{ telemetryConfig = @{ sendFrequency = '5m'; mode = 'fast' } } | Out-Null
        $twin = Set-TwinDesired $id @{ 'telemetryConfig.sendFrequency' = '10m' }
        $twin.Desired.telemetryConfig.sendFrequency | Should -Be '10m'
        $twin.Desired.telemetryConfig.mode | Should -Be 'fast'
        $twin.Desired.PSObject.Properties.Name | Should -Not -Contain 'telemetryConfig.sendFrequency'
    }

    It 'deletes a property given as $null and keeps the others' {
        Set-TwinDesired $id @{ a = 1; b = 2 } | Out-Null
        $twin = Set-TwinDesired $id @{ a = $null }
        $twin.Desired.PSObject.Properties.Name | Should -Not -Contain 'a'
        $twin.Desired.b | Should -Be 2
        (Get-Twin $id).Desired.PSObject.Properties.Name | Should -Not -Contain 'a'
    }

    It 'deletes a nested property given as a dotted path set to $null' {
        Set-TwinDesired $id @{ cfg = @{ x = 1; y = 2 } } | Out-Null
        $twin = Set-TwinDesired $id @{ 'cfg.x' = $null }
        $twin.Desired.cfg.PSObject.Properties.Name | Should -Be @('y')
    }

    It 'accepts JSON text' {
        $twin = Set-TwinDesired $id '{"firmware":{"version":"1.2.0","retries":3},"enabled":true}'
        $twin.Desired.firmware.version | Should -Be '1.2.0'
        $twin.Desired.firmware.retries | Should -Be 3
        $twin.Desired.enabled | Should -BeTrue
    }

    It 'accepts a PSCustomObject' {
        $twin = Set-TwinDesired $id ([pscustomobject]@{ interval = 30; unit = 's' })
        $twin.Desired.interval | Should -Be 30
        $twin.Desired.unit | Should -Be 's'
    }

    It 'rejects JSON that is not an object with InvalidArgument' {
        Set-TwinDesired $id '[1,2]' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SetTwinDesiredInvalidProperties,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'rejects a stale -ETag with PreconditionFailed and changes nothing' {
        $before = Set-TwinDesired $id @{ level = 1 }
        Set-TwinDesired $id @{ level = 2 } | Out-Null
        Set-TwinDesired $id @{ level = 3 } -ETag $before.ETag -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SetTwinDesiredPreconditionFailed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        (Get-Twin $id).Desired.level | Should -Be 2
    }

    It 'accepts the current -ETag' {
        $current = Set-TwinDesired $id @{ level = 1 }
        (Set-TwinDesired $id @{ level = 5 } -ETag $current.ETag).Desired.level | Should -Be 5
    }

    It 'replaces the whole desired section with -Replace and keeps tags' {
        Set-TwinTags $id @{ site = 'plant-1' } | Out-Null
        Set-TwinDesired $id @{ old = 1; keep = 2 } | Out-Null
        $twin = Set-TwinDesired $id @{ fresh = 3 } -Replace -Force
        $twin.Desired.PSObject.Properties.Name | Where-Object { -not $_.StartsWith('$') } | Should -Be @('fresh')
        $twin.Tags.site | Should -Be 'plant-1'
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-Twin $id
        Set-TwinDesired $id @{ level = 9 } -WhatIf | Should -BeNullOrEmpty
        $after = Get-Twin $id
        $after.Desired.'$version' | Should -Be $before.Desired.'$version'
        $after.Desired.PSObject.Properties.Name | Should -Not -Contain 'level'
    }
}

Describe 'Set-TwinTags' {
    It 'merges nested tags, deletes with $null and leaves desired alone' {
        $id = New-TestDeviceId 'tags'
        New-IotDevice $id | Out-Null
        Set-TwinDesired $id @{ mode = 'eco' } | Out-Null
        Set-TwinTags $id @{ location = @{ plant = 'p1'; line = 3 }; owner = 'team-a' } | Out-Null
        $twin = Set-TwinTags $id @{ 'location.line' = 4; owner = $null }
        $twin.Tags.location.plant | Should -Be 'p1'
        $twin.Tags.location.line | Should -Be 4
        $twin.Tags.PSObject.Properties.Name | Should -Not -Contain 'owner'
        $twin.Desired.mode | Should -Be 'eco'
    }
}

Describe 'Get-Twin' {
    It 'takes device ids from Get-IotDevice through the pipeline' {
        $ids = 1..2 | ForEach-Object { New-TestDeviceId 'pipe' }
        $ids | ForEach-Object { New-IotDevice $_ } | Out-Null
        $twins = Get-IotDevice pipe-* | Get-Twin
        $twins.DeviceId | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It 'writes one error for a missing device and goes on with the rest' {
        $id = New-TestDeviceId 'ok'
        New-IotDevice $id | Out-Null
        $twins = $id, 'no-such-device', $id | Get-Twin -ErrorVariable failures -ErrorAction SilentlyContinue
        @($twins).Count | Should -Be 2
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GetTwinNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'no-such-device'
    }

    It 'shows desired and reported versions in its default view' {
        $text = Get-Twin d1 | Out-String
        $text | Should -Match 'Desired\s*:\s*v2\s+\{"telemetryConfig":\{"sendFrequency":"5m"\}\}'
        $text | Should -Match 'Reported\s*:\s*v1'
    }
}
