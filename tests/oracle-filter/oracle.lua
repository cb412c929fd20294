-- oracle.lua: one tap per expression of $FILTER_EXPRS, each with the expression as its
-- filter, so tshark's own display-filter engine picks the frames of every expression in
-- one pass (the same single pass -Y makes). Writes "INDEX<TAB>frame,frame,..." lines
-- to $FILTER_OUT when tshark ends.
local exprs = {}
for line in io.lines(os.getenv("FILTER_EXPRS")) do
	if line ~= "" then exprs[#exprs + 1] = line end
end
local hits = {}
for i, e in ipairs(exprs) do
	hits[i] = {}
	local ok, tap = pcall(Listener.new, "frame", e)
	if ok then
		function tap.packet(pinfo) table.insert(hits[i], pinfo.number) end
	else
		hits[i] = nil
	end
end
local done = false
local function finish()
	if done then return end
	done = true
	local f = io.open(os.getenv("FILTER_OUT"), "w")
	for i = 1, #exprs do
		if hits[i] then
			f:write(i, "\t", table.concat(hits[i], ","), "\n")
		else
			f:write(i, "\tINVALID\n")
		end
	end
	f:close()
end
-- tshark calls every tap's draw at the end
local last = Listener.new("frame", nil)
function last.draw() finish() end
