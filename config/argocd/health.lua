-- Argo CD health of a SalesChannel or an InventorySync, read from the conditions the manager
-- writes (kstatus: Ready summarises, Reconciling and Stalled appear only when true).
local function condition(conditions, type)
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local status = obj.status
if status == nil or status.conditions == nil then
  return { status = "Progressing", message = "Waiting for the manager to report status" }
end
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return { status = "Progressing", message = "Waiting for the manager to observe generation " .. generation }
end

local conditions = status.conditions
-- A problem outranks a suspension: a suspended sync whose channel is gone is still broken.
local stalled = condition(conditions, "Stalled")
if isTrue(stalled) then
  return { status = "Degraded", message = stalled.message }
end
local ready = condition(conditions, "Ready")
if ready ~= nil and ready.status == "False" then
  return { status = "Degraded", message = ready.message }
end
-- An InventorySync's CronJob stopped by spec.suspend or by its channel's mode.
local suspended = condition(conditions, "Suspended")
if isTrue(suspended) then
  return { status = "Suspended", message = suspended.message }
end
-- A SalesChannel whose effective mode pushes nothing but sales-channel manual syncs.
if obj.kind == "SalesChannel" and status.effectiveMode == "DoNotSynchronize" then
  return { status = "Suspended", message = "The effective mode is DoNotSynchronize: only sales-channel manual syncs are pushed" }
end
local reconciling = condition(conditions, "Reconciling")
if isTrue(reconciling) then
  return { status = "Progressing", message = reconciling.message }
end
if ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = ready.message }
end
return { status = "Progressing", message = "Waiting for the Ready condition" }
