// NeuralArt on Azure: storage for jobs, monitoring, a container registry, a Container Apps
// environment with a serverless GPU profile, and the Function App (on Container Apps) running the
// pipeline image with a user-assigned managed identity. Deploy into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
// See infra/README.md for the whole sequence (the registry must hold the image before the app
// starts, hence deployFunctionApp=false on the first run).
targetScope = 'resourceGroup'

@description('Azure region for every resource. It must offer Container Apps serverless GPUs of the chosen type.')
param location string = resourceGroup().location

@description('Short prefix for resource names (lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param baseName string = 'neuralart'

@description('Serverless GPU for the Function App: T4 (16 GB) or A100 (80 GB).')
@allowed([
  'T4'
  'A100'
])
param gpuType string = 'T4'

@description('Image (name:tag) in the registry that the Function App runs.')
param imageName string = 'neuralart-functions:latest'

@description('False on the first run: creates everything but the app, so the image can be built into the new registry first.')
param deployFunctionApp bool = true

@description('Replicas kept running (see infra/README.md on scaling from zero).')
@minValue(0)
@maxValue(10)
param minReplicas int = 1

@description('Most replicas; each holds one GPU.')
@minValue(1)
@maxValue(10)
param maxReplicas int = 2

@description('ONNX Runtime execution provider: cuda fails loudly without a GPU; auto falls back to the CPU and logs why.')
@allowed([
  'auto'
  'cuda'
  'cpu'
])
param executionProvider string = 'cuda'

@description('CUDA device ordinal the engine uses.')
@minValue(0)
param cudaDeviceId int = 0

@description('Default backbone model (a manifest name under models/) for jobs that name none.')
param modelName string = 'resnet18'

@description('Seconds of work each RunChunk activity aims for before checkpointing.')
@minValue(5)
@maxValue(600)
param chunkTimeBudgetSeconds int = 60

@description('Largest input image accepted, in pixels (width x height); checked from the header before decoding.')
@minValue(65536)
param maxImagePixels int = 40000000

@description('Largest input image side accepted, in pixels.')
@minValue(256)
param maxImageSide int = 12000

@description('Largest encoded input image accepted, in bytes.')
@minValue(65536)
param maxImageBytes int = 52428800

// Caps on jobs (NeuralArt:Limits, JobLimitsOptions): a request may ask for less, never more.
@description('Jobs running at once; beyond it POST /api/jobs answers 429 and inbox uploads wait in arrival order.')
@minValue(1)
param maxRunningJobs int = 4

@description('Inbox jobs that may wait for a slot; beyond it an inbox upload fails with reason "queue".')
@minValue(0)
param maxQueuedJobs int = 200

@description('Most convolution multiply-adds one job may cost (its plan predicts it); larger jobs get 413.')
param maxMultiplyAdds int = 200000000000000

@description('Most memory a job plan may predict for its worker, in bytes.')
param maxPeakMemoryBytes int = 8589934592

@description('Largest working image (width x height) after upscaling.')
param maxWorkingPixels int = 16777216

@description('Most iterations of one job over all its stages.')
param maxIterations int = 10000

@description('Most memory the style optimizer may hold, in MiB.')
param optimizerMemoryMb int = 2048

@description('Largest checkpoint a job may write, in bytes.')
param maxCheckpointBytes int = 536870912

@description('How long a job may run once admitted (hh:mm:ss); past it the job fails and its checkpoints are deleted.')
param jobDeadline string = '06:00:00'

@description('Optional object ID of the person or group running the README steps; gets Storage Blob Data Contributor to upload styles and images.')
param deployerPrincipalId string = ''

@description('Principal type of deployerPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Container registry SKU.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySkuName string = 'Basic'

@description('Days of logs kept in Log Analytics.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Days before checkpoints left by cancelled or abandoned jobs are deleted.')
@minValue(1)
param checkpointRetentionDays int = 7

@description('Days before sources uploaded for HTTP jobs are deleted.')
@minValue(1)
param uploadRetentionDays int = 30

@description('Tags on every resource.')
param tags object = {
  application: 'neuralart'
}

// Serverless GPU profiles: the profile type and the one replica size each allows.
var gpuProfiles = {
  T4: {
    type: 'Consumption-GPU-NC8as-T4'
    cpu: 8
    memory: '56Gi'
  }
  A100: {
    type: 'Consumption-GPU-NC24-A100'
    cpu: 24
    memory: '220Gi'
  }
}
var gpu = gpuProfiles[gpuType]
var gpuProfileName = 'gpu'

// The pipeline's blob containers (see ARCHITECTURE.md: the way a job flows).
var containerNames = [
  'inbox'
  'styles'
  'uploads'
  'outputs'
  'jobs'
]

var token = uniqueString(resourceGroup().id, baseName)
var names = {
  storage: take(toLower('${baseName}${token}'), 24)
  registry: take(toLower('${baseName}cr${token}'), 50)
  workspace: '${baseName}-logs-${token}'
  appInsights: '${baseName}-ai-${token}'
  identity: '${baseName}-id-${token}'
  environment: '${baseName}-env-${token}'
  functionApp: '${baseName}-func-${token}'
}

// NeuralArt's own settings, in the options-binding form (Section__Key is read as Section:Key).
// NeuralArt:Pipeline binds PipelineOptions; NeuralArt:Engine binds the engine's OnnxRuntimeOptions
// (plus the default model); NeuralArt:Images binds the engine's ImageLimits. The pipeline refuses
// oversized sources before reading them and the engine checks again when decoding: one number each.
var neuralArtSettings = {
  NeuralArt__Engine__Model: modelName
  NeuralArt__Engine__ExecutionProvider: executionProvider
  NeuralArt__Engine__DeviceId: cudaDeviceId
  NeuralArt__Pipeline__ChunkTimeBudgetSeconds: chunkTimeBudgetSeconds
  NeuralArt__Images__MaxBytes: maxImageBytes
  NeuralArt__Limits__MaxRunningJobs: maxRunningJobs
  NeuralArt__Limits__MaxQueuedJobs: maxQueuedJobs
  NeuralArt__Limits__MaxMultiplyAdds: maxMultiplyAdds
  NeuralArt__Limits__MaxPeakMemoryBytes: maxPeakMemoryBytes
  NeuralArt__Limits__MaxWorkingPixels: maxWorkingPixels
  NeuralArt__Limits__MaxIterations: maxIterations
  NeuralArt__Limits__OptimizerMemoryMb: optimizerMemoryMb
  NeuralArt__Limits__MaxCheckpointBytes: maxCheckpointBytes
  NeuralArt__Limits__JobDeadline: jobDeadline
  NeuralArt__Images__MaxSide: maxImageSide
  NeuralArt__Images__MaxPixels: maxImagePixels
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    retentionInDays: logRetentionDays
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storage
    skuName: storageSkuName
    containerNames: containerNames
    deleteRetentionDays: 7
    checkpointRetentionDays: checkpointRetentionDays
    uploadRetentionDays: uploadRetentionDays
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    location: location
    name: names.registry
    skuName: registrySkuName
    tags: tags
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    name: names.identity
    tags: tags
  }
}

module roles 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  params: {
    storageAccountName: storage.outputs.name
    registryName: registry.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
  }
}

module environment 'modules/containerAppsEnvironment.bicep' = {
  name: 'containerAppsEnvironment'
  params: {
    location: location
    name: names.environment
    workspaceName: monitoring.outputs.workspaceName
    gpuProfileName: gpuProfileName
    gpuProfileType: gpu.type
    tags: tags
  }
}

module functionApp 'modules/functionApp.bicep' = if (deployFunctionApp) {
  name: 'functionApp'
  // The identity must hold AcrPull and the storage roles before the first container starts.
  dependsOn: [
    roles
  ]
  params: {
    location: location
    name: names.functionApp
    managedEnvironmentId: environment.outputs.id
    workloadProfileName: gpuProfileName
    cpu: gpu.cpu
    memory: gpu.memory
    registryLoginServer: registry.outputs.loginServer
    imageName: imageName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    containerPort: 8080
    neuralArtSettings: neuralArtSettings
    tags: tags
  }
}

@description('Base URL of the Function App (empty when deployFunctionApp is false).')
output functionAppUrl string = deployFunctionApp ? 'https://${functionApp.?outputs.defaultHostName ?? ''}' : ''

@description('Function App name (empty when deployFunctionApp is false).')
output functionAppName string = functionApp.?outputs.name ?? ''

@description('Storage account holding inbox, styles, uploads, outputs and jobs.')
output storageAccountName string = storage.outputs.name

@description('Registry name, for az acr build.')
output registryName string = registry.outputs.name

@description('Registry login server.')
output registryLoginServer string = registry.outputs.loginServer

@description('Client ID of the app\'s managed identity.')
output identityClientId string = identity.outputs.clientId
