# Installs the ivpm binary for Windows from a GitHub release, verified against the release's SHA256SUMS.
#
#   irm https://github.com/ivpm-dev/ivpm/releases/latest/download/install.ps1 | iex
#
# Settings (environment variables): IVPM_VERSION (release tag, default latest), IVPM_INSTALL (directory,
# default $HOME\.local\bin), IVPM_REPO (default ivpm-dev/ivpm), IVPM_DOWNLOAD_URL (base URL of the assets).
$ErrorActionPreference = "Stop"

$repo = if ($env:IVPM_REPO) { $env:IVPM_REPO } else { "ivpm-dev/ivpm" }
$version = if ($env:IVPM_VERSION) { $env:IVPM_VERSION } else { "latest" }
$dest = if ($env:IVPM_INSTALL) { $env:IVPM_INSTALL } else { Join-Path $HOME ".local\bin" }

if ($env:PROCESSOR_ARCHITECTURE -ne "AMD64") {
  Write-Error "ivpm install: no ivpm binary for $($env:PROCESSOR_ARCHITECTURE); run ivpm from source (see README.md)"
}
$asset = "ivpm-x86_64-pc-windows-msvc.exe"

if ($env:IVPM_DOWNLOAD_URL) { $base = $env:IVPM_DOWNLOAD_URL.TrimEnd("/") }
elseif ($version -eq "latest") { $base = "https://github.com/$repo/releases/latest/download" }
else { $base = "https://github.com/$repo/releases/download/$version" }

$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("ivpm-install-" + [System.Guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
  Write-Host "ivpm install: downloading $asset from $base"
  Invoke-WebRequest -Uri "$base/$asset" -OutFile (Join-Path $tmp $asset) -UseBasicParsing
  Invoke-WebRequest -Uri "$base/SHA256SUMS" -OutFile (Join-Path $tmp "SHA256SUMS") -UseBasicParsing
  $line = Get-Content (Join-Path $tmp "SHA256SUMS") | Where-Object { ($_ -split "\s+")[1] -in @($asset, "*$asset") }
  if (-not $line) { throw "ivpm install: SHA256SUMS lists no checksum for $asset" }
  $expected = ($line -split "\s+")[0].ToLower()
  $actual = (Get-FileHash -Algorithm SHA256 (Join-Path $tmp $asset)).Hash.ToLower()
  if ($expected -ne $actual) {
    throw "ivpm install: checksum mismatch for $asset (expected $expected, got $actual); nothing was installed"
  }
  New-Item -ItemType Directory -Force -Path $dest | Out-Null
  Move-Item -Force (Join-Path $tmp $asset) (Join-Path $dest "ivpm.exe")
  Write-Host "ivpm install: installed $(Join-Path $dest 'ivpm.exe')"
  if (-not (($env:PATH -split ";") -contains $dest)) {
    Write-Host "ivpm install: $dest is not on your PATH. Add it with:"
    Write-Host "  [Environment]::SetEnvironmentVariable('PATH', `"$dest;`" + [Environment]::GetEnvironmentVariable('PATH', 'User'), 'User')"
  }
} finally {
  Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}
