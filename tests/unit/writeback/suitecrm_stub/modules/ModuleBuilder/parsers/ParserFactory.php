<?php
// A stub of the SuiteCRM 7 Studio classes that the fields package's scripts call, faithful in
// what the scripts rely on (modules/ModuleBuilder/parsers/ParserFactory.php and views/):
// ParserFactory::getParser gives a GridLayoutMetaDataParser for the detail view, a
// ListLayoutMetaDataParser for the list view and a SearchViewMetaDataParser for each search
// layout. Each loads the deployed layout, custom/modules/<M>/metadata/<file> if it is there and
// modules/<M>/metadata/<file> otherwise (DeployedMetaDataImplementation), and handleSave(false)
// writes it to custom/ with the keys as the real parsers write them: a list view lower-cased
// in memory and upper-cased on disk, a search layout keyed by lower-cased name with every entry
// given its name and default => true. handleSave(true) would read Studio's form: refused.

define('MB_DETAILVIEW', 'detailview');
define('MB_LISTVIEW', 'listview');
define('MB_BASICSEARCH', 'basic_search');
define('MB_ADVANCEDSEARCH', 'advanced_search');

class StubLayouts
{
    public const FILES = [
        MB_DETAILVIEW => 'detailviewdefs.php',
        MB_LISTVIEW => 'listviewdefs.php',
        MB_BASICSEARCH => 'searchdefs.php',
        MB_ADVANCEDSEARCH => 'searchdefs.php',
    ];

    public static function load($view, $module)
    {
        $file = self::FILES[$view];
        foreach (["custom/modules/$module/metadata/$file", "modules/$module/metadata/$file"] as $path) {
            if (file_exists($path)) {
                $viewdefs = $listViewDefs = $searchdefs = [];
                include $path;
                if ($file === 'detailviewdefs.php') {
                    return $viewdefs[$module]['DetailView'];
                }
                return $file === 'listviewdefs.php' ? $listViewDefs[$module] : $searchdefs[$module];
            }
        }
        throw new Exception("view definitions for View $view and Module $module are missing");
    }

    public static function deploy($view, $module, $defs, $populate)
    {
        if ($populate) {
            throw new Exception('handleSave(true) reads the layout from Studio\'s form');
        }
        $file = self::FILES[$view];
        $variable = [
            'detailviewdefs.php' => "\$viewdefs['$module']['DetailView']",
            'listviewdefs.php' => "\$listViewDefs['$module']",
            'searchdefs.php' => "\$searchdefs['$module']",
        ][$file];
        $path = "custom/modules/$module/metadata/$file";
        @mkdir(dirname($path), 0775, true);
        file_put_contents($path, "<?php\n$variable = " . var_export($defs, true) . ";\n");
    }
}

class GridLayoutMetaDataParser
{
    public $_viewdefs;

    public function __construct(private string $module)
    {
        $this->_viewdefs = StubLayouts::load(MB_DETAILVIEW, $module);
    }

    public function getMaxColumns()
    {
        return $this->_viewdefs['templateMeta']['maxColumns'];
    }

    public function handleSave($populate = true)
    {
        StubLayouts::deploy(MB_DETAILVIEW, $this->module, $this->_viewdefs, $populate);
    }
}

class ListLayoutMetaDataParser
{
    public $_viewdefs;

    public function __construct(private string $module)
    {
        $this->_viewdefs = array_change_key_case(StubLayouts::load(MB_LISTVIEW, $module));
    }

    public function handleSave($populate = true)
    {
        StubLayouts::deploy(MB_LISTVIEW, $this->module,
                            array_change_key_case($this->_viewdefs, CASE_UPPER), $populate);
    }
}

class SearchViewMetaDataParser
{
    public $_viewdefs;
    private $saved;

    public function __construct(private string $layout, private string $module)
    {
        $this->saved = StubLayouts::load($layout, $module);
        if (!isset($this->saved['layout'][$layout])) {
            $this->saved['layout'][$layout] = $this->saved['layout'][MB_BASICSEARCH];
        }
        $this->_viewdefs = self::convertSearchViewToListView($this->saved['layout'][$layout]);
    }

    public function handleSave($populate = true)
    {
        $this->saved['layout'][$this->layout] = self::convertSearchViewToListView($this->_viewdefs);
        StubLayouts::deploy($this->layout, $this->module, $this->saved, $populate);
    }

    private static function convertSearchViewToListView($viewdefs)
    {
        $temp = [];
        foreach ($viewdefs as $key => $value) {
            if (!is_array($value)) {
                $key = $value;
                $value = ['name' => $key];
            }
            if (!isset($value['name'])) {
                $value['name'] = $key;
            } else {
                $key = $value['name'];
            }
            $value['default'] = true;
            $temp[strtolower($key)] = $value;
        }
        return $temp;
    }
}

class ParserFactory
{
    public static function getParser($view, $moduleName, $packageName = null, $subpanelName = null)
    {
        switch (strtolower($view)) {
            case MB_DETAILVIEW:
                return new GridLayoutMetaDataParser($moduleName);
            case MB_LISTVIEW:
                return new ListLayoutMetaDataParser($moduleName);
            case MB_BASICSEARCH:
            case MB_ADVANCEDSEARCH:
                return new SearchViewMetaDataParser($view, $moduleName);
        }
        throw new Exception("ParserFactory: cannot create ModuleBuilder Parser $view");
    }
}
